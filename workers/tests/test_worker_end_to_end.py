"""One real end-to-end run: an upload through the API is ingested by a real Celery worker process
over the real (embedded) Redis broker, against the test database."""

import subprocess
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from library.tests.books import VALUATION_MD
from workers.models import GenerationJob
from workers.testing import celery_worker_command, worker_environment


@pytest.fixture
def celery_worker_process(embedded_redis):
    env = worker_environment(connection.settings_dict["NAME"], settings.MEDIA_ROOT)
    process = subprocess.Popen(
        celery_worker_command(pool="solo"),
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_upload_is_ingested_by_a_real_worker(alice_api, celery_worker_process):
    response = alice_api.post(
        reverse("api-books"),
        {"file": [SimpleUploadedFile("valuation.md", VALUATION_MD.encode())]},
        format="multipart",
    )
    assert response.status_code == 202
    job_id = response.json()["books"][0]["job"]["id"]
    deadline = time.monotonic() + 90
    status = None
    while time.monotonic() < deadline:
        status = alice_api.get(reverse("api-job", args=[job_id])).json()
        if status["status"] in ("complete", "error"):
            break
        assert celery_worker_process.poll() is None, celery_worker_process.stdout.read()
        time.sleep(0.3)
    assert status["status"] == "complete", status
    job = GenerationJob.objects.get(pk=job_id)
    assert job.attempts == 1 and job.finished_at is not None
    book = alice_api.get(reverse("api-book", args=[response.json()["books"][0]["book"]["id"]])).json()
    assert book["status"] == "ready" and book["chunk_count"] > 0
