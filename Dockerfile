# One image for web, the workers (jobs, watchdog) and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DOCPROF_VAR_DIR=/app/var

WORKDIR /app
RUN useradd --create-home --uid 1000 docprof
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN DJANGO_SECRET_KEY=build-only DJANGO_DEBUG=false DATABASE_URL=postgres://unused/unused \
    REDIS_URL=redis://unused:6379/0 python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R docprof:docprof /app/var
USER docprof
EXPOSE 8000
CMD ["gunicorn", "docprof.wsgi:application", "--config", "python:docprof.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "3", "--worker-class", "gthread", "--threads", "16", "--timeout", "120", "--keep-alive", "5", "--reuse-port"]
