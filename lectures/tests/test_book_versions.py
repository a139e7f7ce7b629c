"""Sharing a book from its page and the API (unsharing unpublishes the courses that use it, with a
warning naming them), and a new version of a book (page and API): read as a job, lectures citing
changed passages become stale, unchanged ones stay valid, a bad file changes nothing."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from courses import sharing
from lectures.models import Lecture
from lectures.tests.books import BAKING_MD
from lectures.tests.support import make_course
from lectures.tests.test_shared_courses import client_for, open_lecture
from library.models import Book, Chunk
from workers import engine
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


def changed_text(quote: str) -> str:
    """BAKING_MD with the first sentence of a cited quote rewritten."""
    return rewrite_start(BAKING_MD, quote)


def rewrite_start(text: str, quote: str) -> str:
    """`text` with the first words of `quote`'s first sentence replaced (a quote may run over a line
    break of the source)."""
    words = quote.split(".")[0].split()
    opening = r"\s+".join(re.escape(w) for w in words[:3])
    changed = re.sub(opening, lambda _: "Rye and spelt " + " ".join(words[3:4]), text, count=1)
    assert changed != text
    return changed


def post_file(client, book, name: str, content: str | bytes):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        f"/api/books/{book.pk}/file", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )


# --- sharing -----------------------------------------------------------------------------------
def test_share_and_unshare_from_the_book_page(alice, bob, alice_client, book):
    page = alice_client.get(f"/library/books/{book.pk}/").content.decode()
    assert "Share with everyone" in page and "Stop sharing" not in page and "Upload a new version" in page
    response = alice_client.post(f"/library/books/{book.pk}/share/", follow=True)
    book.refresh_from_db()
    assert book.visibility == "shared" and "is shared" in response.content.decode()
    assert "Stop sharing" in response.content.decode()

    course, _ = make_course(alice, book)
    sharing.publish(course)
    response = alice_client.post(f"/library/books/{book.pk}/unshare/", follow=True)
    text = response.content.decode()
    book.refresh_from_db()
    course.refresh_from_db()
    assert book.visibility == "private" and course.published is False
    assert 'class="warning"' in text and course.title in text and "were unpublished" in text

    # bob reads alice's shared book but has no buttons, and cannot press them either
    sharing.set_book_shared(book, True)
    from django.test import Client

    bob_client = Client()
    bob_client.force_login(bob)
    page = bob_client.get(f"/library/books/{book.pk}/").content.decode()
    assert "Stop sharing" not in page and "Upload a new version" not in page
    assert bob_client.post(f"/library/books/{book.pk}/unshare/").status_code == 404
    book.refresh_from_db()
    assert book.visibility == "shared"


def test_unsharing_through_the_api_names_the_unpublished_courses(alice, bob, book):
    api = client_for(alice)
    shared = api.post(f"/api/books/{book.pk}/share")
    assert shared.status_code == 200
    body = shared.json()
    assert body["shared"] is True and body["book"]["visibility"] == "shared" and body["unpublished"] == []
    course, _ = make_course(alice, book)
    sharing.publish(course)
    assert client_for(bob).post(f"/api/books/{book.pk}/unshare").status_code == 404
    body = api.post(f"/api/books/{book.pk}/unshare").json()
    assert body["shared"] is False and body["book"]["visibility"] == "private"
    assert body["unpublished"] == [{"id": course.pk, "title": course.title}]
    assert course.title in body["warning"]
    course.refresh_from_db()
    assert course.published is False
    again = api.post(f"/api/books/{book.pk}/unshare").json()  # already private: nothing to unpublish
    assert again["unpublished"] == [] and again["warning"] == ""


# --- a new version -----------------------------------------------------------------------------
def test_new_version_through_the_api_marks_citing_lectures_stale(
    alice, bob, book, django_capture_on_commit_callbacks
):
    _, section = make_course(alice, book)
    data = open_lecture(client_for(alice), section)["lecture"]
    old_file = Path(book.file.path)
    response = post_file(
        client_for(alice), book, "bread-2nd-edition.md", changed_text(data["citations"][0]["quote"])
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["book"]["id"] == book.pk and body["job"]["kind"] == "reingest"
    book.refresh_from_db()
    assert book.status == "ready" and book.original_filename == "bread.md"  # not read yet: unchanged

    job_id = body["job"]["id"]
    status = client_for(alice).get(f"/api/jobs/{job_id}").json()
    assert status["book_id"] == book.pk and status["status"] == "processing"
    assert client_for(bob).get(f"/api/jobs/{job_id}").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):  # the old file is deleted after commit
        engine.run_inline(job_id)

    status = client_for(alice).get(f"/api/jobs/{job_id}").json()
    assert status["status"] == "complete" and "1 of 1 lectures" in status["message"], status
    book.refresh_from_db()
    assert book.status == "ready" and book.original_filename == "bread-2nd-edition.md"
    assert not old_file.exists() and Path(book.file.path).exists()
    lecture = Lecture.objects.get(pk=data["id"])
    assert lecture.stale and 1 in lecture.stale_citations
    assert len(lecture.stale_citations) < len(lecture.citations)
    served = client_for(alice).get(f"/api/sections/{section.pk}/lecture").json()["lecture"]
    assert served["stale"] is True


def test_same_text_as_a_new_version_keeps_lectures_valid(alice, alice_client, book):
    _, section = make_course(alice, book)
    data = open_lecture(client_for(alice), section)["lecture"]
    old_ids = {c["chunk_id"] for c in data["citations"]}
    response = alice_client.post(
        f"/library/books/{book.pk}/new-version/",
        {"file": SimpleUploadedFile("bread (copy).md", BAKING_MD.encode())},
    )
    assert response.status_code == 302
    job = GenerationJob.objects.get(kind="reingest", target_id=book.pk)
    page = alice_client.get(f"/library/books/{book.pk}/").content.decode()
    assert "Reading the new version" in page and 'hx-trigger="poll"' in page  # progress, like an upload
    engine.run_inline(job.pk)
    lecture = Lecture.objects.get(pk=data["id"])
    new_ids = {c["chunk_id"] for c in lecture.citations}
    assert not lecture.stale and new_ids.isdisjoint(old_ids)
    assert set(Chunk.objects.filter(id__in=new_ids).values_list("book_id", flat=True)) == {book.pk}
    page = alice_client.get(f"/library/books/{book.pk}/").content.decode()
    assert 'hx-trigger="poll"' not in page and "Ready" in page


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.md", b""), ("bread.exe", b"MZ not a book"), ("too-big.md", BAKING_MD.encode())],
)
def test_a_refused_file_gets_the_uploads_answer_and_changes_nothing(alice, book, settings, name, content):
    if name == "too-big.md":
        settings.DOCPROF_MAX_UPLOAD_MB = 0  # 413
    upload = client_for(alice).post(
        "/api/books", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    response = post_file(client_for(alice), book, name, content)
    assert response.status_code == upload.status_code and 400 <= response.status_code < 500
    assert response.json()["file"] == upload.json()["file"]
    assert not GenerationJob.objects.filter(kind="reingest").exists()
    assert Book.objects.get(pk=book.pk).file.name == book.file.name


def test_a_file_that_cannot_be_read_leaves_the_book_as_it_was(alice, alice_client, book):
    chunks = sorted(Chunk.objects.filter(book=book).values_list("id", flat=True))
    response = post_file(client_for(alice), book, "bread.md", "   \n\n   \n")
    assert response.status_code == 202
    engine.run_inline(response.json()["job"]["id"])
    job = GenerationJob.objects.get(pk=response.json()["job"]["id"])
    assert job.status == "error" and "no readable text" in job.message
    book_after = Book.objects.get(pk=book.pk)
    assert book_after.status == "ready" and book_after.file.name == book.file.name
    assert sorted(Chunk.objects.filter(book=book).values_list("id", flat=True)) == chunks
    stored = list(Path(book.file.path).parent.iterdir())
    assert stored == [Path(book.file.path)]  # the refused new file was deleted
    page = alice_client.get(f"/library/books/{book.pk}/").content.decode()
    assert "could not be read" in page and "The book is as it was" in page


def test_one_reading_at_a_time(alice, bob, book):
    first = post_file(client_for(alice), book, "bread-v2.md", BAKING_MD + "\n\nMore about crust.\n")
    assert first.status_code == 202
    second = post_file(client_for(alice), book, "bread-v3.md", BAKING_MD + "\n\nMore about crumb.\n")
    assert second.status_code == 409 and "being read" in second.json()["detail"]
    assert post_file(client_for(bob), book, "x.md", BAKING_MD).status_code == 404
    assert GenerationJob.objects.filter(kind="reingest").count() == 1
