import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from library.models import Book, Chunk
from library.tests.books import VALUATION_MD
from workers import engine

pytestmark = pytest.mark.django_db


def post_files(client, *files, shared=False):
    data = {"file": [SimpleUploadedFile(name, content) for name, content in files]}
    if shared:
        data["shared"] = "true"
    return client.post(reverse("api-books"), data, format="multipart")


def test_upload_ingest_and_search_through_the_api(alice_api):
    response = post_files(alice_api, ("valuation.md", VALUATION_MD.encode()))
    assert response.status_code == 202, response.content
    item = response.json()["books"][0]
    assert item["duplicate"] is False and item["book"]["status"] == "queued"
    job_id = item["job"]["id"]

    engine.run_inline(job_id)  # what the Celery task does

    job = alice_api.get(reverse("api-job", args=[job_id])).json()
    assert job["status"] == "complete" and job["progress"]["percent"] == 100 and job["kind"] == "ingest"
    book = alice_api.get(reverse("api-book", args=[item["book"]["id"]])).json()
    assert book["status"] == "ready" and book["chapter_count"] == 2 and book["chunk_count"] >= 4
    chapters = alice_api.get(reverse("api-book-chapters", args=[book["id"]])).json()
    assert [c["title"] for c in chapters] == ["Chapter 1 Cash Flows", "Chapter 2 Discounting"]

    hits = alice_api.get(
        reverse("api-search"), {"q": "how is terminal value computed with the Gordon growth model?", "k": 3}
    ).json()["results"]
    assert hits, "expected passages"
    top = hits[0]
    assert "terminal value" in top["text"].lower()
    assert top["book_title"] == "A Short Book on Valuation"
    assert top["chapter"] == "Chapter 2 Discounting"
    assert top["page_start"] >= 1 and top["heading_path"]


def test_uploading_several_files_at_once(alice_api):
    from library.tests.books import GARDENING_TXT

    response = post_files(alice_api, ("a.md", VALUATION_MD.encode()), ("b.txt", GARDENING_TXT.encode()))
    assert response.status_code == 202
    assert len(response.json()["books"]) == 2


def test_second_upload_of_the_same_file_is_a_duplicate(alice_api):
    post_files(alice_api, ("valuation.md", VALUATION_MD.encode()))
    again = post_files(alice_api, ("renamed.md", VALUATION_MD.encode()))
    assert again.status_code == 202 and again.json()["books"][0]["duplicate"] is True
    assert Book.objects.count() == 1


BAD_UPLOADS = [
    ("empty file", "book.pdf", b"", 400, "empty"),
    ("not a pdf", "book.pdf", b"hello, I am plain text pretending to be a PDF", 400, "PDF"),
    ("unsupported type", "book.docx", b"PK\x03\x04 something", 415, "Unsupported"),
    ("not an epub", "book.epub", b"this is not a zip archive at all", 400, ""),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "status", "says"), BAD_UPLOADS, ids=[c[0] for c in BAD_UPLOADS]
)
def test_bad_uploads_get_a_clear_4xx_and_leave_nothing(
    alice_api, media_root, case, name, content, status, says
):
    response = post_files(alice_api, (name, content))
    assert response.status_code == status, response.content
    message = " ".join(response.json()["file"])
    assert says.lower() in message.lower()
    assert not Book.objects.exists() and not Chunk.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def raw_multipart(client, filename: str, content: bytes):
    """The test client keeps only a file's base name; a browser or curl can send any name."""
    boundary = "----docproftest"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.generic(
        "POST", reverse("api-books"), body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.mark.parametrize(
    "filename", ["../../etc/passwd.txt", "..\\evil.txt", "a/b.md", "..", "notes\x01.txt"]
)
def test_file_names_with_path_separators_are_refused(alice_api, media_root, filename):
    response = raw_multipart(alice_api, filename, b"some text here " * 50)
    assert response.status_code == 400, response.content
    assert response.json()["file"]
    assert not Book.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_oversized_upload_is_413(alice_api, settings, media_root):
    settings.DOCPROF_MAX_UPLOAD_MB = 1
    response = post_files(alice_api, ("big.txt", b"word " * (300 * 1024)))
    assert response.status_code == 413
    assert not Book.objects.exists()


def test_one_bad_file_in_a_batch_refuses_the_whole_batch(alice_api, media_root):
    response = post_files(alice_api, ("good.md", VALUATION_MD.encode()), ("bad.pdf", b"not a pdf"))
    assert response.status_code == 400
    assert not Book.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_upload_without_files_is_400(alice_api):
    assert alice_api.post(reverse("api-books"), {}, format="multipart").status_code == 400


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": ""}, 400),
        ({"q": "   "}, 400),
        ({"q": "x" * 2001}, 400),
        ({"q": "cash", "k": 0}, 400),
        ({"q": "cash", "k": 51}, 400),
        ({"q": "cash", "k": "many"}, 400),
        ({}, 400),
        ({"q": "cash", "k": 5}, 200),
    ],
)
def test_search_validates_the_query(alice_api, params, status):
    assert alice_api.get(reverse("api-search"), params).status_code == status


def test_token_authentication(api_client, alice):
    response = api_client.post(reverse("api-token"), {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(reverse("api-books")).status_code == 200


def test_api_requires_authentication(api_client):
    for name in ("api-books", "api-search"):
        assert api_client.get(reverse(name)).status_code in (401, 403)


def test_openapi_schema_and_docs(alice_client):
    assert alice_client.get(reverse("schema")).status_code == 200
    assert alice_client.get(reverse("api-docs")).status_code == 200
