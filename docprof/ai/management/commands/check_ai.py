"""`manage.py check_ai`: which AI providers are configured, one tiny call each, models, dimension, prices."""

from django.conf import settings
from django.core.management.base import BaseCommand

from docprof.ai.errors import AIError
from docprof.ai.pricing import configured_model, price_for


class Command(BaseCommand):
    help = "Say which LLM and embedding providers are configured and make one tiny call to each."

    def add_arguments(self, parser):
        parser.add_argument("--no-calls", action="store_true", help="Only print the configuration.")

    def handle(self, *args, no_calls=False, **options):
        ok = True
        ok &= self.check_llm(no_calls)
        ok &= self.check_embedder(no_calls)
        self.check_limiter()
        if not ok:
            self.stderr.write(self.style.ERROR("Some AI checks failed (see above)."))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("AI checks passed."))

    def line(self, label, value):
        self.stdout.write(f"  {label:<22} {value}")

    def price(self, model):
        prices = price_for(model)
        if not prices:
            return "no price configured (cost recorded as 0; set DOCPROF_LLM_PRICES)"
        return f"${prices[0]} in / ${prices[1]} out per million tokens"

    def check_llm(self, no_calls) -> bool:
        kind = settings.DOCPROF_LLM
        self.stdout.write(self.style.MIGRATE_HEADING(f"LLM: DOCPROF_LLM={kind}"))
        if kind in ("", "none"):
            self.line("engine", "offline (extractive, deterministic; no network, no cost)")
            return True
        model = configured_model()
        self.line("model", model)
        if kind == "bedrock":
            self.line("region", settings.DOCPROF_BEDROCK_REGION)
            self.line("fallback", settings.DOCPROF_BEDROCK_FALLBACK_MODEL or "-")
            self.line(
                "timeouts",
                f"read {settings.DOCPROF_BEDROCK_READ_TIMEOUT}s, "
                f"retries {settings.DOCPROF_BEDROCK_RETRY_MODE}/{settings.DOCPROF_BEDROCK_MAX_ATTEMPTS}",
            )
        else:
            self.line("base URL", settings.DOCPROF_OPENAI_BASE_URL)
            self.line("fallback", settings.DOCPROF_OPENAI_FALLBACK_MODEL or "-")
            self.line("json_schema format", settings.DOCPROF_OPENAI_JSON_SCHEMA)
        self.line("price", self.price(model))
        if no_calls:
            return True
        try:
            from docprof.ai.factory import get_llm

            result = get_llm().complete(
                "You are a health check.",
                [{"role": "user", "content": "Reply with the single word OK."}],
                max_tokens=10,
                purpose="check_ai",
                allow_truncated=True,
            )
        except AIError as exc:
            self.line("call", self.style.ERROR(f"FAILED: {type(exc).__name__}: {exc}"))
            return False
        self.line(
            "call",
            self.style.SUCCESS(
                f"ok: {result.text.strip()[:40]!r} from {result.model} in {result.latency_ms} ms, "
                f"{result.usage.input_tokens}+{result.usage.output_tokens} tokens, ${result.cost_usd}"
            ),
        )
        return True

    def check_embedder(self, no_calls) -> bool:
        kind = settings.DOCPROF_EMBEDDINGS
        self.stdout.write(self.style.MIGRATE_HEADING(f"Embeddings: DOCPROF_EMBEDDINGS={kind}"))
        self.line("EMBEDDING_DIM", settings.EMBEDDING_DIM)
        try:
            from docprof.ai.factory import get_embedder

            embedder = get_embedder()
            self.line("embedder", embedder.name)
            model = getattr(embedder, "model", None)
            if isinstance(model, str):
                self.line("price", self.price(model))
            if no_calls:
                return True
            vector = embedder.embed_one("DocProf health check")
        except AIError as exc:
            self.line("call", self.style.ERROR(f"FAILED: {type(exc).__name__}: {exc}"))
            return False
        if len(vector) != settings.EMBEDDING_DIM:
            self.line(
                "call",
                self.style.ERROR(f"FAILED: {len(vector)} dimensions, expected {settings.EMBEDDING_DIM}"),
            )
            return False
        self.line("call", self.style.SUCCESS(f"ok: {len(vector)} dimensions"))
        return True

    def check_limiter(self):
        self.stdout.write(self.style.MIGRATE_HEADING("Rate limiter"))
        if not settings.DOCPROF_RATE_LIMIT_ENABLED:
            self.line("status", "disabled (DOCPROF_RATE_LIMIT_ENABLED=false)")
            return
        self.line(
            "LLM", f"{settings.DOCPROF_LLM_RPM} requests/min, {settings.DOCPROF_LLM_TPM} tokens/min per model"
        )
        self.line(
            "embeddings",
            f"{settings.DOCPROF_EMBED_RPM} requests/min, {settings.DOCPROF_EMBED_TPM} tokens/min",
        )
        for model, limits in settings.DOCPROF_RATE_LIMITS.items():
            self.line(model, f"{limits['rpm']} requests/min, {limits['tpm']} tokens/min")
        self.line("max wait", f"{settings.DOCPROF_RATE_LIMIT_MAX_WAIT}s, shared through {settings.REDIS_URL}")
