"""The bad-input catalogue: every endpoint, fed what an attacker or a careless client sends.

Each case states the 4xx it must get, words of the message a person can act on, and (for every case)
that nothing was written: row counts of every model and the files in the media folder are unchanged.
Add a case when an endpoint or a rule is added.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from docprof.tests.badinput import MULTIPART, media_files, multipart, nested, readable_text, row_counts
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db

MISSING = object()
TEXT = b"# A book\n\nSome words about valuation and cash flows.\n"
PDF_LOOKALIKE = b"this is not a pdf at all, just text with a .pdf name\n"
VALID_COURSE = {"query": "Learn DCF valuation", "hours": 1}
COURSE_FORM = {"query": "Learn DCF valuation", "hours": "1", "depth": "standard"}
COURSE_FORM |= {"presentation_style": "lecture", "pace_wpm": "150"}


def course(**changes):
    return {**VALID_COURSE, **changes}


def prefs(**changes):
    return {**VALID_COURSE, "preferences": changes}


def finish_course(world):
    GenerationJob.objects.filter(pk=world.ids["course_job"]).update(status="complete")


@dataclass(frozen=True)
class Bad:
    id: str
    method: str
    path: str  # "{book}", "{course}", ... are world ids
    status: int
    message: str  # words the answer must contain (case-insensitive)
    json: object = MISSING
    raw: bytes | None = None
    content_type: str = "application/json"
    files: list | None = None
    fields: dict | None = None
    query: dict | None = None
    form: dict | None = None
    role: str = "owner"
    settings: dict = field(default_factory=dict)
    prepare: Callable | None = None
    header: str | None = None


# One case per line: a table reads best as one.
# fmt: off
CATALOGUE = [
    # --- POST /api/auth/token (anonymous) ----------------------------------------------------
    Bad("token-nested-1000", "POST", "/api/auth/token", 400, "nested more than 64", raw=nested(1000).encode(), role="anon"),
    Bad("token-nested-65", "POST", "/api/auth/token", 400, "nested more than 64", raw=nested(65).encode(), role="anon"),
    Bad("token-broken-json", "POST", "/api/auth/token", 400, "JSON parse error", raw=b'{"username": ', role="anon"),
    Bad("token-not-utf8", "POST", "/api/auth/token", 400, "not valid utf-8", raw=b'{"username": "\xff\xfe"}', role="anon"),
    Bad("token-wrong-password", "POST", "/api/auth/token", 400, "Unable to log in", json={"username": "alice", "password": "nope"}, role="anon"),
    Bad("token-missing-fields", "POST", "/api/auth/token", 400, "This field is required", json={}, role="anon"),
    Bad("token-nul-username", "POST", "/api/auth/token", 400, "Null characters", json={"username": "al\x00ice", "password": "x"}, role="anon"),
    Bad("token-list-username", "POST", "/api/auth/token", 400, "Not a valid string", json={"username": ["alice"], "password": "x"}, role="anon"),
    Bad("token-oversized", "POST", "/api/auth/token", 413, "larger than", json={"username": "a" * (1100 * 1024), "password": "x"}, role="anon"),
    Bad("token-xml", "POST", "/api/auth/token", 415, "Unsupported media type", raw=b"<u>alice</u>", content_type="application/xml", role="anon"),
    Bad("token-get", "GET", "/api/auth/token", 405, "not allowed", role="anon"),
    # --- POST /api/courses: the body ---------------------------------------------------------
    Bad("course-nested-1000", "POST", "/api/courses", 400, "nested more than 64", raw=nested(1000).encode()),
    Bad("course-nested-in-notes", "POST", "/api/courses", 400, "nested more than 64", raw=json.dumps(prefs(notes="x"))[:-2].encode() + b', "extra": ' + nested(80).encode() + b"}}"),
    Bad("course-brackets-inside-strings-are-text", "POST", "/api/courses", 400, "Unknown preference", json=prefs(colour="[" * 500)),
    Bad("course-broken-json", "POST", "/api/courses", 400, "JSON parse error", raw=b'{"query": "x", "hours": }'),
    Bad("course-nan-literal", "POST", "/api/courses", 400, "JSON parse error", raw=b'{"query": "Learn DCF", "hours": NaN}'),
    Bad("course-infinity-literal", "POST", "/api/courses", 400, "JSON parse error", raw=b'{"query": "Learn DCF", "hours": Infinity}'),
    Bad("course-not-utf8", "POST", "/api/courses", 400, "not valid utf-8", raw=b'{"query": "\xc3\x28", "hours": 1}'),
    Bad("course-body-is-a-list", "POST", "/api/courses", 400, "Expected a dictionary", json=[VALID_COURSE]),
    Bad("course-body-is-a-string", "POST", "/api/courses", 400, "Expected a dictionary", json="Learn DCF valuation"),
    Bad("course-empty-object", "POST", "/api/courses", 400, "This field is required", json={}),
    Bad("course-oversized", "POST", "/api/courses", 413, "larger than", json=course(query="x" * (1100 * 1024))),
    Bad("course-text-plain", "POST", "/api/courses", 415, "Unsupported media type", raw=b"Learn DCF", content_type="text/plain"),
    Bad("course-xml", "POST", "/api/courses", 415, "Unsupported media type", raw=b"<q/>", content_type="application/xml"),
    Bad("course-put", "PUT", "/api/courses", 405, "not allowed", json=VALID_COURSE),
    Bad("course-patch", "PATCH", "/api/courses", 405, "not allowed", json=VALID_COURSE),
    # --- POST /api/courses: hours --------------------------------------------------------------
    Bad("hours-true", "POST", "/api/courses", 400, "number of hours", json=course(hours=True)),
    Bad("hours-false", "POST", "/api/courses", 400, "number of hours", json=course(hours=False)),
    Bad("hours-word", "POST", "/api/courses", 400, "number of hours", json=course(hours="two")),
    Bad("hours-list", "POST", "/api/courses", 400, "number of hours", json=course(hours=[1])),
    Bad("hours-object", "POST", "/api/courses", 400, "number of hours", json=course(hours={"h": 1})),
    Bad("hours-null", "POST", "/api/courses", 400, "may not be null", json=course(hours=None)),
    Bad("hours-missing", "POST", "/api/courses", 400, "required", json={"query": "Learn DCF valuation"}),
    Bad("hours-negative", "POST", "/api/courses", 400, "at least 15 minutes", json=course(hours=-1)),
    Bad("hours-zero", "POST", "/api/courses", 400, "at least 15 minutes", json=course(hours=0)),
    Bad("hours-too-many", "POST", "/api/courses", 400, "at most 200 hours", json=course(hours=10_000)),
    Bad("hours-huge-exponent", "POST", "/api/courses", 400, "number of hours", json=course(hours="1e400")),
    Bad("hours-nan-string", "POST", "/api/courses", 400, "number of hours", json=course(hours="NaN")),
    # --- POST /api/courses: query and preferences ----------------------------------------------
    Bad("query-missing", "POST", "/api/courses", 400, "required", json={"hours": 1}),
    Bad("query-blank", "POST", "/api/courses", 400, "may not be blank", json=course(query="")),
    Bad("query-spaces", "POST", "/api/courses", 400, "Say what you want to learn", json=course(query="   \t ")),
    Bad("query-too-long", "POST", "/api/courses", 400, "no more than 2000", json=course(query="x" * 2001)),
    Bad("query-nul", "POST", "/api/courses", 400, "Null characters", json=course(query="sup\x00ply chains")),
    Bad("query-object", "POST", "/api/courses", 400, "Not a valid string", json=course(query={"q": 1})),
    Bad("prefs-not-object", "POST", "/api/courses", 400, "Expected a dictionary", json=course(preferences="deep")),
    Bad("prefs-null", "POST", "/api/courses", 400, "may not be null", json=course(preferences=None)),
    Bad("prefs-unknown-depth", "POST", "/api/courses", 400, "not a valid choice", json=prefs(depth="bottomless")),
    Bad("prefs-unknown-style", "POST", "/api/courses", 400, "not a valid choice", json=prefs(presentation_style="mime")),
    Bad("prefs-unknown-key", "POST", "/api/courses", 400, "Unknown preference", json=prefs(colour="blue")),
    Bad("prefs-pace-too-slow", "POST", "/api/courses", 400, "greater than or equal to 60", json=prefs(pace_wpm=5)),
    Bad("prefs-pace-true", "POST", "/api/courses", 400, "valid integer", json=prefs(pace_wpm=True)),
    Bad("prefs-pace-word", "POST", "/api/courses", 400, "valid integer", json=prefs(pace_wpm="fast")),
    Bad("prefs-notes-too-long", "POST", "/api/courses", 400, "no more than 2000", json=prefs(notes="n" * 2001)),
    Bad("prefs-notes-nul", "POST", "/api/courses", 400, "Null characters", json=prefs(notes="a\x00b")),
    Bad("course-rate-limit", "POST", "/api/courses", 429, "throttled", json=VALID_COURSE, settings={"DOCPROF_COURSE_RATE_PER_HOUR": 1}, header="Retry-After"),
    # --- /api/courses/{id} ---------------------------------------------------------------------
    Bad("course-id-word", "GET", "/api/courses/abc", 404, "whole numbers"),
    Bad("course-id-negative", "GET", "/api/courses/-1", 404, "whole numbers"),
    Bad("course-id-float", "GET", "/api/courses/1.5", 404, "whole numbers"),
    Bad("course-id-overflow", "GET", "/api/courses/99999999999999999999", 404, "No Course matches"),
    Bad("course-id-zero", "GET", "/api/courses/0", 404, "No Course matches"),
    Bad("course-status-word", "GET", "/api/courses/abc/status", 404, "whole numbers"),
    Bad("course-resume-word", "POST", "/api/courses/x/resume", 404, "whole numbers"),
    Bad("course-resume-running", "POST", "/api/courses/{course}/resume", 409, "failed or was cancelled"),
    Bad("course-cancel-finished", "POST", "/api/courses/{course}/cancel", 409, "still being planned", prepare=finish_course),
    Bad("course-resume-get", "GET", "/api/courses/{course}/resume", 405, "not allowed"),
    Bad("course-detail-put", "PUT", "/api/courses/{course}", 405, "not allowed", json=VALID_COURSE),
    Bad("course-trailing-slash", "GET", "/api/courses/{course}/", 404, "not an API address"),
    # --- POST /api/books -----------------------------------------------------------------------
    Bad("upload-no-file", "POST", "/api/books", 400, "Attach at least one", fields={"shared": "false"}),
    Bad("upload-dotdot", "POST", "/api/books", 400, "path separators or '..'", files=[("../../etc/passwd.txt", TEXT)]),
    Bad("upload-backslash", "POST", "/api/books", 400, "path separators", files=[("..\\..\\win.ini.txt", TEXT)]),
    Bad("upload-absolute", "POST", "/api/books", 400, "path separators", files=[("/etc/motd.txt", TEXT)]),
    Bad("upload-control-chars", "POST", "/api/books", 400, "control characters", files=[("book\x07.txt", TEXT)]),
    Bad("upload-rtl-override", "POST", "/api/books", 400, "control characters", files=[("evil\u202etxt.exe.md", TEXT)]),
    Bad("upload-name-too-long", "POST", "/api/books", 400, "longer than 255", files=[("a" * 300 + ".txt", TEXT)]),
    Bad("upload-exe", "POST", "/api/books", 415, "Unsupported file type", files=[("setup.exe", b"MZ\x90\x00")]),
    Bad("upload-no-extension", "POST", "/api/books", 415, "Unsupported file type", files=[("README", TEXT)]),
    Bad("upload-empty-file", "POST", "/api/books", 400, "empty", files=[("empty.txt", b"")]),
    Bad("upload-fake-pdf", "POST", "/api/books", 400, "not a PDF", files=[("book.pdf", PDF_LOOKALIKE)]),
    Bad("upload-fake-epub", "POST", "/api/books", 400, "not a valid zip", files=[("book.epub", b"PK but not a zip")]),
    Bad("upload-binary-as-text", "POST", "/api/books", 400, "binary", files=[("book.txt", b"\x00\x01\x02" * 100)]),
    Bad("upload-one-bad-of-two", "POST", "/api/books", 415, "Unsupported file type", files=[("ok.md", TEXT), ("bad.exe", b"MZ")]),
    Bad("upload-oversized", "POST", "/api/books", 413, "limit is 1 MB", files=[("big.txt", b"word " * 230_000)], settings={"DOCPROF_MAX_UPLOAD_MB": 1}),
    Bad("upload-shared-maybe", "POST", "/api/books", 400, "valid boolean", files=[("ok.md", TEXT)], fields={"shared": "maybe"}),
    Bad("upload-json", "POST", "/api/books", 415, "Unsupported media type", json={"file": "book.txt"}),
    Bad("upload-broken-multipart", "POST", "/api/books", 400, "Multipart form parse error", raw=b"--nope\r\n\r\n", content_type="multipart/form-data"),
    Bad("upload-too-many-files", "POST", "/api/books", 400, "at most 100 files", files=[(f"b{i}.md", TEXT) for i in range(101)]),
    # --- /api/books/{id}, chapters, jobs -----------------------------------------------------------
    Bad("book-id-word", "GET", "/api/books/abc", 404, "whole numbers"),
    Bad("book-id-nul", "GET", "/api/books/1%00", 404, "whole numbers"),
    Bad("book-id-overflow", "GET", "/api/books/99999999999999999999", 404, "No Book matches"),
    Bad("book-id-unicode-digits", "GET", "/api/books/%D9%A1", 404, "whole numbers"),
    Bad("book-delete-word", "DELETE", "/api/books/abc", 404, "whole numbers"),
    Bad("book-put", "PUT", "/api/books/{book}", 405, "not allowed", json={"title": "mine"}),
    Bad("book-patch", "PATCH", "/api/books/{book}", 405, "not allowed", json={"title": "mine"}),
    Bad("book-chapters-word", "GET", "/api/books/abc/chapters", 404, "whole numbers"),
    Bad("book-chapters-post", "POST", "/api/books/{book}/chapters", 405, "not allowed", json={}),
    Bad("job-id-word", "GET", "/api/jobs/abc", 404, "whole numbers"),
    Bad("job-id-overflow", "GET", "/api/jobs/99999999999999999999", 404, "No GenerationJob matches"),
    Bad("job-delete", "DELETE", "/api/jobs/{course_job}", 405, "not allowed"),
    Bad("unknown-api-path", "GET", "/api/nothing-here", 404, "not an API address"),
    # --- GET /api/search -----------------------------------------------------------------------
    Bad("search-no-q", "GET", "/api/search", 400, "Enter something to search for"),
    Bad("search-empty-q", "GET", "/api/search", 400, "Enter something to search for", query={"q": ""}),
    Bad("search-spaces", "GET", "/api/search", 400, "Enter something to search for", query={"q": "   "}),
    Bad("search-nul", "GET", "/api/search", 400, "Null characters", query={"q": "sup\x00ply"}),
    Bad("search-too-long", "GET", "/api/search", 400, "longer than 2000", query={"q": "x" * 2001}),
    Bad("search-k-zero", "GET", "/api/search", 400, "greater than or equal to 1", query={"q": "cash", "k": "0"}),
    Bad("search-k-big", "GET", "/api/search", 400, "less than or equal to 50", query={"q": "cash", "k": "51"}),
    Bad("search-k-word", "GET", "/api/search", 400, "valid integer", query={"q": "cash", "k": "ten"}),
    Bad("search-k-exponent", "GET", "/api/search", 400, "valid integer", query={"q": "cash", "k": "1e3"}),
    Bad("search-mode", "GET", "/api/search", 400, "not a valid choice", query={"q": "cash", "mode": "magic"}),
    Bad("search-post", "POST", "/api/search", 405, "not allowed", json={"q": "cash"}),
    # --- Pages ---------------------------------------------------------------------------------
    Bad("page-search-nul", "GET", "/library/search/", 400, "Null characters", query={"q": "sup\x00ply"}),
    Bad("page-search-empty", "GET", "/library/search/", 400, "Enter something to search for", query={"q": ""}),
    Bad("page-search-k", "GET", "/library/search/", 400, "k: Ensure this value is less than or equal to 50", query={"q": "cash", "k": "999"}),
    Bad("page-upload-dotdot", "POST", "/library/upload/", 400, "path separators or '..'", files=[("../../x.txt", TEXT)]),
    Bad("page-upload-dotdot-among-good", "POST", "/library/upload/", 400, "path separators", files=[("ok.md", TEXT), ("../x.md", TEXT)]),
    Bad("page-upload-exe", "POST", "/library/upload/", 415, "Unsupported file type", files=[("setup.exe", b"MZ")]),
    Bad("page-upload-empty", "POST", "/library/upload/", 400, "empty", files=[("empty.md", b"")]),
    Bad("page-upload-get", "GET", "/library/upload/", 405, ""),
    Bad("page-course-hours-true", "POST", "/courses/new/", 400, "number of hours", form=COURSE_FORM | {"hours": "true"}),
    Bad("page-course-hours-zero", "POST", "/courses/new/", 400, "at least 15 minutes", form=COURSE_FORM | {"hours": "0"}),
    Bad("page-course-nul", "POST", "/courses/new/", 400, "Null characters", form=COURSE_FORM | {"query": "a\x00b"}),
    Bad("page-course-depth", "POST", "/courses/new/", 400, "not one of the available choices", form=COURSE_FORM | {"depth": "abyss"}),
    Bad("page-course-rate-limit", "POST", "/courses/new/", 429, "too many courses", form=COURSE_FORM, settings={"DOCPROF_COURSE_RATE_PER_HOUR": 1}, header="Retry-After"),
    Bad("page-book-word", "GET", "/library/books/abc/", 404, "Not Found"),
    Bad("page-delete-get", "GET", "/library/books/{book}/delete/", 405, ""),
    Bad("page-course-cancel-get", "GET", "/courses/{course}/cancel/", 405, ""),
]
# fmt: on


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CATALOGUE])
def test_bad_input_is_refused_with_a_message_and_writes_nothing(world, settings, case: Bad):
    for name, value in case.settings.items():
        setattr(settings, name, value)
    if case.prepare:
        case.prepare(world)
    path = case.path.format(**world.ids)
    api = path.startswith("/api/")
    client = world.api(case.role) if api else world.pages(case.role)
    rows, files = row_counts(), media_files()

    if case.files is not None or case.fields is not None:
        response = client.generic(case.method, path, multipart(case.fields, case.files), MULTIPART)
    elif case.json is not MISSING:
        response = client.generic(case.method, path, json.dumps(case.json), "application/json")
    elif case.raw is not None:
        response = client.generic(case.method, path, case.raw, case.content_type)
    elif case.form is not None:
        response = client.post(path, case.form)
    elif case.query is not None:
        response = client.get(path, case.query)
    else:
        response = client.generic(case.method, path)

    assert response.status_code == case.status, (response.status_code, response.content[:400])
    if api:
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert case.message.lower() in readable_text(response).lower(), readable_text(response)[:600]
    if case.header:
        assert int(response[case.header]) > 0
    assert row_counts() == rows, "a refused request wrote rows"
    assert media_files() == files, "a refused request left files in the media folder"


def test_the_catalogue_is_big_enough_and_ids_are_unique():
    assert len(CATALOGUE) >= 60
    assert len({c.id for c in CATALOGUE}) == len(CATALOGUE)
