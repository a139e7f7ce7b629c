"""`manage.py check_ai` and the ledger/job admin pages."""

from io import StringIO

import pytest
from django.core.management import call_command

from docprof.ai.fake import FakeLLM
from docprof.ai.models import LLMCall
from docprof.ai.tests.test_openai_compat import FakeServer, chat


def test_check_ai_offline(settings):
    settings.DOCPROF_LLM = "none"
    settings.DOCPROF_EMBEDDINGS = "hashing"
    out = StringIO()
    call_command("check_ai", stdout=out)
    assert "offline" in out.getvalue() and "AI checks passed" in out.getvalue()


@pytest.mark.django_db
def test_check_ai_openai_makes_one_tiny_call_each(settings):
    server = FakeServer()
    try:
        settings.DOCPROF_LLM = "openai"
        settings.DOCPROF_EMBEDDINGS = "openai"
        settings.DOCPROF_OPENAI_BASE_URL = server.base_url
        settings.DOCPROF_LLM_PRICES = {"llama3.1:8b": [0.1, 0.1]}
        settings.EMBEDDING_DIM = 4
        server.replies += [(200, chat("OK")), (200, {"data": [{"index": 0, "embedding": [1, 0, 0, 0]}]})]
        out = StringIO()
        call_command("check_ai", stdout=out)
    finally:
        server.close()
    text = out.getvalue()
    assert "llama3.1:8b" in text and "ok: 'OK'" in text and "ok: 4 dimensions" in text
    assert LLMCall.objects.get(purpose="check_ai").outcome == "ok"


@pytest.mark.django_db
def test_admin_pages(admin_client, job):
    llm = FakeLLM(["an answer"])
    result = llm.complete("s", [{"role": "user", "content": "q"}], max_tokens=5, purpose="qa.answer", job=job)
    assert admin_client.get("/admin/ai/llmcall/").status_code == 200
    assert admin_client.get(f"/admin/ai/llmcall/?job_id={job.pk}").status_code == 200
    page = admin_client.get(f"/admin/ai/llmcall/{result.call_id}/change/")
    assert page.status_code == 200 and b"an answer" in page.content
    assert admin_client.get("/admin/ai/llmcall/add/").status_code == 403
    assert admin_client.get("/admin/workers/generationjob/").status_code == 200
    page = admin_client.get(f"/admin/workers/generationjob/{job.pk}/change/")
    assert page.status_code == 200 and b"1 paid calls in the ledger" in page.content
    assert admin_client.get("/admin/workers/generationjob/add/").status_code == 403
