"""Every format through the whole pipeline (upload -> job -> chapters, chunks, pages), and the bad
files that only a full parse can detect: the book ends in status error with a readable message."""

import pytest
from django.urls import reverse

from library.models import Book, Chapter, Chunk
from library.tests.fixtures import (
    chapter_text,
    make_epub,
    make_image_only_pdf,
    make_pdf,
    sample_book,
)
from workers import engine
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


def upload_path(client, path):
    with path.open("rb") as fh:
        return client.post(reverse("api-books"), {"file": [fh]}, format="multipart")


def run_job(response):
    job_id = response.json()["books"][0]["job"]["id"]
    engine.run_inline(job_id)
    return GenerationJob.objects.get(pk=job_id)


@pytest.mark.parametrize("fmt", ["pdf", "epub", "markdown", "html", "text", "asciidoc"])
def test_each_format_is_ingested(alice_api, tmp_path, fmt):
    path = sample_book(tmp_path, fmt)
    response = upload_path(alice_api, path)
    assert response.status_code == 202, response.content
    job = run_job(response)
    assert job.status == "complete", job.error
    book = Book.objects.get()
    assert book.status == "ready" and book.title == "Sample Economics"
    assert book.format == fmt
    assert book.chapters.count() == 3
    assert Chunk.objects.filter(book=book).exists()
    assert book.physical_pages is (fmt == "pdf")


def test_pdf_pages_are_the_physical_pages(alice_api, tmp_path):
    pages = [chapter_text(topic, 2) for topic in ("prices", "prices", "wages", "wages", "rents")]
    outline = [("Chapter 1 Prices", 1), ("Chapter 2 Wages", 3), ("Chapter 3 Rents", 5)]
    path = make_pdf(tmp_path / "econ.pdf", pages, outline=outline, title="Pages Test")
    job = run_job(upload_path(alice_api, path))
    assert job.status == "complete", job.error
    chapters = list(Chapter.objects.order_by("order").values_list("title", "page_start", "page_end"))
    assert chapters == [("Chapter 1 Prices", 1, 2), ("Chapter 2 Wages", 3, 4), ("Chapter 3 Rents", 5, 5)]
    hits = alice_api.get(reverse("api-search"), {"q": "rents", "k": 1}).json()["results"]
    assert hits[0]["page_start"] == 5 and hits[0]["chapter"] == "Chapter 3 Rents"


def test_encrypted_pdf_is_refused_at_upload(alice_api, tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", ["secret text " * 50], encrypted=True)
    response = upload_path(alice_api, path)
    assert response.status_code == 400
    assert "encrypted" in response.json()["file"][0].lower()
    assert not Book.objects.exists()


def test_pdf_without_text_layer_ends_in_a_readable_error(alice_api, tmp_path):
    path = make_image_only_pdf(tmp_path / "scan.pdf")
    response = upload_path(alice_api, path)
    if response.status_code == 400:  # refused at upload: equally clear
        assert "OCR" in response.json()["file"][0]
        return
    job = run_job(response)
    book = Book.objects.get()
    assert job.status == "error" and book.status == "error"
    assert "OCR is not supported" in book.error and "OCR is not supported" in job.error
    assert not Chapter.objects.exists() and not Chunk.objects.exists()


def test_epub_decompression_bomb_is_refused(alice_api, tmp_path, settings):
    settings.DOCPROF_MAX_UNPACKED_MB = 1
    path = make_epub(tmp_path / "bomb.epub", [("One", chapter_text("bombs"))], bomb=True)
    response = upload_path(alice_api, path)
    if response.status_code == 202:
        job = run_job(response)
        assert job.status == "error" and Book.objects.get().status == "error"
        assert not Chunk.objects.exists()
    else:
        assert response.status_code in (400, 413)
        assert not Book.objects.exists()
