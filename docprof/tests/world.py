"""One small world for permission and bad-input tests, in the style of healthchecks' `hc/test.py`.

alice owns one object of every type a user can reach; bob is another user; staff is a site
administrator (admin pages only: the product's pages and API stay owner-scoped for staff too);
anon is nobody. Objects are made through the public API where one exists, so the world keeps working
when services change. When an app adds an object type (lectures, Q&A sessions), add it here (an
attribute, an entry in `ids` and `markers`) and add rows for its endpoints to
`test_isolation_matrix.ROWS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from library.tests.books import GARDENING_TXT, VALUATION_MD
from library.tests.conftest import ingest
from workers.models import GenerationJob

ROLES = ("owner", "other", "anon", "staff")
# Text that appears in a response only if the object is shown (titles, the course request).
VALUATION_TITLE = "A Short Book on Valuation"
GARDENING_TITLE = "Tomatoes for Beginners"
COURSE_QUERY = "Learn DCF valuation with free cash flow"


@dataclass
class World:
    alice: object
    bob: object
    staff: object
    ids: dict[str, int] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)

    def user(self, role: str):
        return {"owner": self.alice, "other": self.bob, "staff": self.staff, "anon": None}[role]

    def api(self, role: str) -> APIClient:
        client = APIClient()
        if self.user(role) is not None:
            client.force_authenticate(self.user(role))
        return client

    def pages(self, role: str) -> Client:
        client = Client()
        if self.user(role) is not None:
            client.force_login(self.user(role))
        return client


def make_user(username: str, **extra):
    """A user without a password hash (hashing costs half a second; tests log in with force_login)."""
    user = get_user_model()(username=username, **extra)
    user.set_unusable_password()
    user.save()
    return user


def build_world() -> World:
    world = World(
        alice=make_user("alice"),
        bob=make_user("bob"),
        staff=make_user("staff", is_staff=True, is_superuser=True),
    )
    book = ingest(world.alice, "valuation.md", VALUATION_MD)
    shared = ingest(world.alice, "tomatoes.txt", GARDENING_TXT, shared=True)
    response = world.api("owner").post(
        reverse("api-courses"), {"query": COURSE_QUERY, "hours": 1}, format="json"
    )
    assert response.status_code == 202, response.content
    course = response.json()
    world.ids = {
        "book": book.pk,
        "shared_book": shared.pk,
        "ingest_job": GenerationJob.objects.get(kind="ingest", target_id=book.pk).pk,
        "course": course["course_id"],
        "course_job": course["job_id"],
    }
    world.markers = {
        "book": VALUATION_TITLE,
        "shared_book": GARDENING_TITLE,
        "course": COURSE_QUERY,
    }
    return world
