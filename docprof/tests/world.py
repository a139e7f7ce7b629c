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
    world.ids.update(_lecture_objects(world, book))
    world.ids.update(_shared_course_objects(world, shared))
    world.markers = {
        "published_course": PUBLISHED_TITLE,
        "enrolled_course": ENROLLED_TITLE,
        "book": VALUATION_TITLE,
        "shared_book": GARDENING_TITLE,
        "course": COURSE_QUERY,
        "section": SECTION_TITLE,
        "lecture": SECTION_TITLE,
    }
    return world


SECTION_TITLE = "Free cash flow and discounting"


def _lecture_objects(world: World, book) -> dict[str, int]:
    """A ready course with one section whose lecture alice has opened (written offline, delivered)."""
    from courses.models import Course, CourseSection
    from library.models import Chunk
    from workers import engine

    course = Course.objects.create(
        owner=world.alice,
        title="Valuation basics",
        original_query="Learn valuation",
        requested_hours=1,
        status=Course.Status.READY,
        preferences={"depth": "standard", "presentation_style": "lecture", "pace_wpm": 100},
    )
    part = CourseSection.objects.create(course=course, order_index=0, title="Cash flows", estimated_minutes=4)
    section = CourseSection.objects.create(
        course=course, parent_section=part, order_index=0, title=SECTION_TITLE, estimated_minutes=4,
        learning_objectives=["Define free cash flow", "Explain the discount rate"],
        source_chunk_ids=list(Chunk.objects.filter(book=book).values_list("id", flat=True)[:4]),
    )  # fmt: skip
    url = reverse("api-section-lecture", args=[section.pk])
    accepted = world.api("owner").get(url)
    assert accepted.status_code == 202, accepted.content
    engine.run_inline(accepted.json()["job_id"])
    delivered = world.api("owner").get(url)
    assert delivered.status_code == 200, delivered.content
    return {"lecture_course": course.pk, "section": section.pk, "lecture": delivered.json()["lecture"]["id"]}


PUBLISHED_TITLE = "Growing tomatoes in pots"
ENROLLED_TITLE = "Tomatoes for the balcony"


def _shared_course_objects(world: World, shared_book) -> dict[str, int]:
    """Shared courses on alice's shared book: alice's published course (she has a delivery of its
    section), and bob's published course in which alice is enrolled (bob and alice both have a
    delivery; its section resolves to the same content, so alice's lecture comes from the cache)."""
    from courses import sharing
    from courses.models import Course, CourseSection
    from library.models import Chunk
    from workers import engine

    chunk_ids = list(
        Chunk.objects.filter(book=shared_book).order_by("ordinal").values_list("id", flat=True)[:3]
    )
    ids = {}
    for owner, title, key in (
        (world.alice, PUBLISHED_TITLE, "published"),
        (world.bob, ENROLLED_TITLE, "enrolled"),
    ):
        course = Course.objects.create(
            owner=owner,
            title=title,
            original_query=f"Learn {title}",
            requested_hours=1,
            status=Course.Status.READY,
            preferences={"pace_wpm": 100},
        )
        part = CourseSection.objects.create(course=course, order_index=0, title="Soil", estimated_minutes=3)
        section = CourseSection.objects.create(
            course=course,
            parent_section=part,
            order_index=0,
            title="Soil for tomatoes",
            estimated_minutes=3,
            learning_objectives=["Describe the soil tomatoes need"],
            source_chunk_ids=chunk_ids,
        )
        sharing.publish(course)
        ids[f"{key}_course"] = course.pk
        ids[f"{key}_section"] = section.pk
    sharing.enrol(Course.objects.get(pk=ids["enrolled_course"]), world.alice)
    for role, key in (("owner", "published"), ("other", "enrolled"), ("owner", "enrolled")):
        url = reverse("api-section-lecture", args=[ids[f"{key}_section"]])
        response = world.api(role).get(url)
        if response.status_code == 202:
            engine.run_inline(response.json()["job_id"])
            response = world.api(role).get(url)
        assert response.status_code == 200, response.content
        ids[f"{key}_lecture"] = response.json()["lecture"]["id"]
    return ids
