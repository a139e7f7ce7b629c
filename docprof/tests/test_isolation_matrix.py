"""Who may do what: every endpoint x every object type x {owner, other user, anonymous, staff}.

One parametrised test over the table ROWS. A row names an endpoint (route name and method), the
object whose id goes into the URL (or None for a list), the status each role gets, and for lists and
searches which roles see the object. Requests that the owner did not make must change nothing.
To cover a new endpoint, add a row; to cover a new object type, add it to docprof/tests/world.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from courses.models import Course
from docprof.tests.world import ROLES
from lectures.models import Lecture, LectureVote, MentorReview, QuizAttempt, SectionDelivery
from library.models import Book
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


def statuses(owner, other, anon, staff) -> dict[str, int]:
    return {"owner": owner, "other": other, "anon": anon, "staff": staff}


# Owner-scoped objects: everybody else gets 404 (the object's existence is not revealed).
API_OWN = statuses(200, 404, 403, 404)
PAGE_OWN = statuses(200, 404, 302, 404)
# Shared books: every logged-in user may read them.
API_SHARED = statuses(200, 200, 403, 200)
PAGE_SHARED = statuses(200, 200, 302, 200)
# Lists and searches: everybody logged in gets 200 (with only what they may see).
API_LIST = statuses(200, 200, 403, 200)
PAGE_LIST = statuses(200, 200, 302, 200)
# The admin: staff only (others are sent to the admin login).
ADMIN = statuses(302, 302, 302, 200)
# A course bob owns and alice (the "owner" role) is enrolled in: both may read it.
LEARNER = statuses(200, 200, 403, 404)
PAGE_LEARNER = statuses(200, 200, 302, 404)
PUBLISHED = {"published": "1"}
OWNER_ONLY = ("owner",)
EVERYONE = ("owner", "other", "staff")


@dataclass(frozen=True)
class Row:
    method: str
    url: str  # route name
    obj: str | None  # whose id goes into the URL (a key of World.ids); None for lists
    expect: dict[str, int]
    api: bool = True
    shows: str | None = None  # lists/searches: the object whose marker must appear ...
    sees: tuple[str, ...] = ()  # ... for these roles only
    params: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.url}[{self.obj or self.shows}]"


VALUATION_Q = {"q": "terminal value discount rate"}
TOMATO_Q = {"q": "compost soil tomatoes"}

ROWS = [
    # --- API: library -------------------------------------------------------------------------
    Row("GET", "api-books", None, API_LIST, shows="book", sees=OWNER_ONLY),
    Row("GET", "api-books", None, API_LIST, shows="shared_book", sees=EVERYONE),
    Row("GET", "api-book", "book", API_OWN),
    Row("GET", "api-book", "shared_book", API_SHARED),
    Row("GET", "api-book-chapters", "book", API_OWN),
    Row("GET", "api-book-chapters", "shared_book", API_SHARED),
    Row("DELETE", "api-book", "book", statuses(204, 404, 403, 404)),
    Row("DELETE", "api-book", "shared_book", statuses(204, 403, 403, 403)),
    Row("GET", "api-search", None, API_LIST, shows="book", sees=OWNER_ONLY, params=VALUATION_Q),
    Row("GET", "api-search", None, API_LIST, shows="shared_book", sees=EVERYONE, params=TOMATO_Q),
    # --- API: jobs ----------------------------------------------------------------------------
    Row("GET", "api-job", "ingest_job", API_OWN),
    Row("GET", "api-job", "course_job", API_OWN),
    # --- API: courses -------------------------------------------------------------------------
    Row("GET", "api-courses", None, API_LIST, shows="course", sees=OWNER_ONLY),
    Row("GET", "api-course", "course", API_OWN),
    Row("GET", "api-course-status", "course", API_OWN),
    Row("POST", "api-course-resume", "course", statuses(409, 404, 403, 404)),  # still generating
    Row("POST", "api-course-cancel", "course", statuses(202, 404, 403, 404)),
    Row("DELETE", "api-course", "course", statuses(204, 404, 403, 404)),
    # --- API: lectures ------------------------------------------------------------------------
    Row("GET", "api-section-lecture", "section", API_OWN),
    Row("GET", "api-lecture", "lecture", API_OWN),
    Row("POST", "api-lecture-quiz", "lecture", statuses(400, 404, 403, 404)),  # no answers sent
    Row("POST", "api-section-complete", "section", statuses(200, 404, 403, 404)),
    Row("GET", "api-course-progress", "lecture_course", API_OWN),
    # --- API: shared courses, versions, votes, reviews, usage (issue 9) ------------------------
    Row("GET", "api-courses", None, API_LIST, shows="published_course", sees=EVERYONE, params=PUBLISHED),
    Row("GET", "api-courses", None, API_LIST, shows="course", sees=(), params=PUBLISHED),
    Row("GET", "api-courses", None, API_LIST, shows="enrolled_course", sees=("owner", "other")),  # taken
    Row("GET", "api-course", "published_course", API_OWN),  # not enrolled: no sections
    Row("GET", "api-course", "enrolled_course", LEARNER),  # alice enrolled, bob owns it
    Row("GET", "api-course-progress", "enrolled_course", LEARNER),
    Row("POST", "api-course-publish", "lecture_course", statuses(400, 404, 403, 404)),  # a private book
    Row("POST", "api-course-unpublish", "published_course", statuses(200, 404, 403, 404)),
    Row("POST", "api-course-enrol", "published_course", statuses(404, 201, 403, 201)),  # not one's own
    Row("POST", "api-course-enrol", "lecture_course", statuses(404, 404, 403, 404)),  # not published
    Row("GET", "api-section-lecture", "published_section", API_OWN),
    Row("GET", "api-section-lecture", "enrolled_section", LEARNER),
    Row("GET", "api-lecture", "enrolled_lecture", LEARNER),
    Row("POST", "api-lecture-regenerate", "published_section", statuses(202, 404, 403, 404)),
    Row("POST", "api-lecture-switch", "published_section", statuses(409, 404, 403, 404)),
    # bob's section has the same content as alice's published one: the same lecture, delivered to both
    Row("POST", "api-lecture-vote", "lecture", statuses(400, 404, 403, 404)),  # no value sent
    Row("POST", "api-lecture-vote", "enrolled_lecture", statuses(400, 400, 403, 404)),
    Row("POST", "api-lecture-review", "lecture", statuses(403, 404, 403, 400)),  # staff is a mentor
    Row("POST", "api-lecture-review", "enrolled_lecture", statuses(403, 403, 403, 400)),
    Row("GET", "api-admin-usage", None, statuses(403, 403, 403, 200)),
    # sharing a book, a new version of it: the owner only (a shared book is readable, not theirs)
    Row("POST", "api-book-share", "book", statuses(200, 404, 403, 404)),
    Row("POST", "api-book-unshare", "shared_book", statuses(200, 404, 403, 404)),  # unpublishes
    Row("POST", "api-book-file", "shared_book", statuses(400, 404, 403, 404)),  # no file sent
    # --- Pages: library -----------------------------------------------------------------------
    Row("GET", "library:index", None, PAGE_LIST, api=False, shows="book", sees=OWNER_ONLY),
    Row("GET", "library:index", None, PAGE_LIST, api=False, shows="shared_book", sees=EVERYONE),
    Row("GET", "library:book", "book", PAGE_OWN, api=False),
    Row("GET", "library:book", "shared_book", PAGE_SHARED, api=False),
    Row("GET", "library:book_status", "book", PAGE_OWN, api=False),
    Row("GET", "library:book_status", "shared_book", PAGE_SHARED, api=False),
    Row("POST", "library:delete", "book", statuses(302, 404, 302, 404), api=False),
    Row("POST", "library:delete", "shared_book", statuses(302, 404, 302, 404), api=False),
    Row(
        "GET", "library:search", None, PAGE_LIST, api=False, shows="book", sees=OWNER_ONLY, params=VALUATION_Q
    ),
    Row(
        "GET",
        "library:search",
        None,
        PAGE_LIST,
        api=False,
        shows="shared_book",
        sees=EVERYONE,
        params=TOMATO_Q,
    ),
    # --- Pages: courses -----------------------------------------------------------------------
    Row("GET", "courses:list", None, PAGE_LIST, api=False, shows="course", sees=OWNER_ONLY),
    Row("GET", "courses:detail", "course", PAGE_OWN, api=False),
    Row("GET", "courses:progress", "course", PAGE_OWN, api=False),
    Row("GET", "courses:progress_fragment", "course", PAGE_OWN, api=False),
    Row("POST", "courses:resume", "course", statuses(302, 404, 302, 404), api=False),
    Row("POST", "courses:cancel", "course", statuses(302, 404, 302, 404), api=False),
    Row("POST", "courses:delete", "course", statuses(302, 404, 302, 404), api=False),
    Row("GET", "courses:new", None, PAGE_LIST, api=False),
    Row(
        "GET",
        "courses:preview",
        None,
        PAGE_LIST,
        api=False,
        shows="book",
        sees=OWNER_ONLY,
        params={"query": "Learn terminal value and the discount rate"},
    ),
    # --- Pages: lectures ----------------------------------------------------------------------
    Row("GET", "lectures:section", "section", PAGE_OWN, api=False),
    Row("GET", "lectures:live", "section", PAGE_OWN, api=False),
    Row("POST", "lectures:quiz", "section", statuses(400, 404, 302, 404), api=False),  # no answers sent
    Row("POST", "lectures:complete", "section", statuses(302, 404, 302, 404), api=False),
    Row("POST", "lectures:retry", "section", statuses(302, 404, 302, 404), api=False),
    Row("POST", "lectures:vote", "published_section", statuses(302, 404, 302, 404), api=False),
    Row("POST", "lectures:regenerate", "published_section", statuses(302, 404, 302, 404), api=False),
    Row("POST", "lectures:switch", "published_section", statuses(302, 404, 302, 404), api=False),
    Row("GET", "lectures:section", "enrolled_section", PAGE_LEARNER, api=False),
    # --- Pages: shared courses ------------------------------------------------------------------
    Row("GET", "courses:browse", None, PAGE_LIST, api=False, shows="published_course", sees=EVERYONE),
    Row("GET", "courses:browse", None, PAGE_LIST, api=False, shows="course", sees=()),
    Row("GET", "courses:detail", "published_course", PAGE_OWN, api=False),
    Row("GET", "courses:detail", "enrolled_course", PAGE_LEARNER, api=False),
    Row("POST", "courses:publish", "lecture_course", statuses(302, 404, 302, 404), api=False),
    Row("POST", "courses:unpublish", "published_course", statuses(302, 404, 302, 404), api=False),
    Row("POST", "courses:enrol", "published_course", statuses(404, 302, 302, 302), api=False),
    Row("POST", "library:upload", None, statuses(302, 302, 302, 302), api=False),  # no file: back to list
    Row("POST", "book_sharing:share", "book", statuses(302, 404, 302, 404), api=False),
    Row("POST", "book_sharing:unshare", "shared_book", statuses(302, 404, 302, 404), api=False),
    Row("POST", "book_versions:upload", "shared_book", statuses(400, 404, 302, 404), api=False),
    # --- Public: the API's description and the load balancer's probe ---------------------------
    Row("GET", "schema", None, statuses(200, 200, 200, 200), api=False),
    Row("GET", "api-docs", None, statuses(200, 200, 200, 200), api=False),
    Row("GET", "healthz", None, statuses(200, 200, 200, 200), api=False),
    # --- Admin (curation): staff only ---------------------------------------------------------
    Row("GET", "admin:library_book_change", "book", ADMIN, api=False),
    Row("GET", "admin:library_book_change", "shared_book", ADMIN, api=False),
    Row("GET", "admin:courses_course_change", "course", ADMIN, api=False),
    Row("GET", "admin:lectures_lecture_change", "lecture", ADMIN, api=False),
    Row("GET", "admin:workers_generationjob_change", "ingest_job", ADMIN, api=False),
    Row("GET", "admin:workers_generationjob_change", "course_job", ADMIN, api=False),
    Row("GET", "admin:lectures_lecture_diff", "published_lecture", ADMIN, api=False),
    Row("GET", "admin:lectures_lecture_usage", None, ADMIN, api=False),
    Row("GET", "admin:lectures_mentorreview_changelist", None, ADMIN, api=False),
    Row("GET", "admin:courses_enrolment_changelist", None, ADMIN, api=False),
]


def snapshot() -> tuple:
    """Everything a request by someone other than the owner must leave as it was."""
    return (
        sorted(Book.objects.values_list("pk", "status", "visibility", "title")),
        sorted(Course.objects.values_list("pk", "status", "title", "published")),
        sorted(GenerationJob.objects.values_list("pk", "status", "cancel_requested")),
        sorted(Lecture.objects.values_list("pk", "status", "version")),
        sorted(SectionDelivery.objects.values_list("pk", "is_current", "completed_at")),
        QuizAttempt.objects.count(),
        sorted(LectureVote.objects.values_list("pk", "value")),
        MentorReview.objects.count(),
    )


CASES = [pytest.param(row, role, id=f"{row.id}-{role}") for row in ROWS for role in ROLES]


@pytest.mark.parametrize(("row", "role"), CASES)
def test_isolation_matrix(world, row: Row, role: str):
    client = world.api(role) if row.api else world.pages(role)
    url = reverse(row.url, args=[world.ids[row.obj]] if row.obj else [])
    before = snapshot()

    response = getattr(client, row.method.lower())(url, row.params or None)

    expected = row.expect[role]
    assert response.status_code == expected, (response.status_code, response.content[:300])
    if expected == 302 and (role == "anon" or row.url.startswith("admin:")):
        assert "login" in response["Location"], response["Location"]
    if row.api and expected >= 400:
        assert response["Content-Type"].startswith("application/json") and response.json()["detail"]
    if row.shows and expected == 200:
        shown = world.markers[row.shows] in response.content.decode()
        assert shown == (role in row.sees), f"{row.shows} shown to {role}: {shown}"
    if role != "owner":
        assert snapshot() == before, "a request by someone other than the owner changed data"
