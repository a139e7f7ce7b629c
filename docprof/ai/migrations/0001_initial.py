# The ledger moves from the `workers` app to the AI layer, with its rows: the table is renamed, and
# the foreign key to the job table is dropped (the AI layer keys rows by job id, importing no app).

from django.db import migrations, models

DROP_JOB_FK = """
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint
           WHERE conrelid = 'workers_llmcall'::regclass AND contype = 'f' LOOP
    EXECUTE format('ALTER TABLE workers_llmcall DROP CONSTRAINT %I', c.conname);
  END LOOP;
  FOR c IN SELECT indexname FROM pg_indexes
           WHERE tablename = 'workers_llmcall' AND indexname LIKE 'workers_llmcall_job_id%' LOOP
    EXECUTE format('DROP INDEX %I', c.indexname);
  END LOOP;
END $$;
"""

RENAME = """
ALTER TABLE workers_llmcall RENAME TO ai_llmcall;
ALTER INDEX workers_llm_job_id_f27bbb_idx RENAME TO ai_llmcall_job_hash_idx;
ALTER INDEX workers_llm_created_da0355_idx RENAME TO ai_llmcall_created_idx;
"""

RENAME_BACK = """
ALTER INDEX ai_llmcall_created_idx RENAME TO workers_llm_created_da0355_idx;
ALTER INDEX ai_llmcall_job_hash_idx RENAME TO workers_llm_job_id_f27bbb_idx;
ALTER TABLE ai_llmcall RENAME TO workers_llmcall;
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("workers", "0002_llmcall"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(DROP_JOB_FK, reverse_sql=migrations.RunSQL.noop),
                migrations.RunSQL(RENAME, reverse_sql=RENAME_BACK),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="LLMCall",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("job_id", models.BigIntegerField(blank=True, help_text="The background job that made the call", null=True)),
                        ("purpose", models.CharField(help_text="What the call is for, e.g. courses.generate_parts", max_length=100)),
                        ("provider", models.CharField(max_length=32)),
                        ("model", models.CharField(help_text="The model that answered (may be the fallback)", max_length=200)),
                        ("request_hash", models.CharField(help_text="sha256 of the canonical request", max_length=64)),
                        ("request", models.JSONField(blank=True, default=dict)),
                        ("response", models.JSONField(blank=True, null=True)),
                        ("input_tokens", models.PositiveIntegerField(default=0)),
                        ("output_tokens", models.PositiveIntegerField(default=0)),
                        ("latency_ms", models.PositiveIntegerField(default=0)),
                        ("cost_usd", models.DecimalField(decimal_places=6, default=0, max_digits=12)),
                        ("outcome", models.CharField(choices=[("ok", "OK"), ("error", "Error"), ("replayed", "Replayed from ledger")], default="ok", max_length=16)),
                        ("repaired", models.BooleanField(default=False, help_text="Valid only after one repair request")),
                        ("error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "verbose_name": "LLM call",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(fields=["job_id", "request_hash"], name="ai_llmcall_job_hash_idx"),
                            models.Index(fields=["created_at"], name="ai_llmcall_created_idx"),
                        ],
                    },
                ),
            ],
        ),
    ]
