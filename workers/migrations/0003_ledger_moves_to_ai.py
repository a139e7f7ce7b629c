# The ledger (LLMCall) now belongs to the AI layer (app label "ai"; see ai/0001, which renames the
# table and keeps its rows). Job kinds are declared by the apps that own them, so `kind` has no
# fixed choices here.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workers", "0002_llmcall"),
        ("ai", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="LLMCall")],
        ),
        migrations.AlterField(
            model_name="generationjob",
            name="kind",
            field=models.CharField(help_text="A registered job kind, e.g. ingest, course, lecture", max_length=16),
        ),
    ]
