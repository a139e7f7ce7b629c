import pytest

from courses.models import Course, CourseSection
from lectures.models import SectionDelivery
from library.tests.conftest import ingest
from qa.tests.books import FINANCE_MD, GARDEN_MD, SCRIPT


@pytest.fixture(autouse=True)
def no_model(settings, embedded_redis):
    settings.DOCPROF_LLM = "none"
    keys = list(embedded_redis.scan_iter("docprof:throttle:*"))
    if keys:
        embedded_redis.delete(*keys)


@pytest.fixture
def finance_book(alice):
    return ingest(alice, "valuation.md", FINANCE_MD)


@pytest.fixture
def garden_book(bob):
    return ingest(bob, "tomatoes.md", GARDEN_MD)


def make_section(owner, title="Valuing a firm", minutes=10):
    course = Course.objects.create(
        owner=owner,
        title="Valuation in two hours",
        original_query="Learn valuation",
        requested_hours="2",
        status=Course.Status.READY,
        preferences={"pace_wpm": 150},
    )
    part = CourseSection.objects.create(course=course, order_index=0, title="Basics", estimated_minutes=30)
    section = CourseSection.objects.create(
        course=course,
        parent_section=part,
        order_index=1,
        title=title,
        estimated_minutes=minutes,
        learning_objectives=["Explain free cash flow", "Estimate terminal value"],
    )
    CourseSection.objects.create(
        course=course, parent_section=part, order_index=2, title="Comparables", estimated_minutes=20
    )
    return section


@pytest.fixture
def section(alice, finance_book):
    section = make_section(alice)
    SectionDelivery.objects.create(section=section, user=alice, lecture_script=SCRIPT)
    return section


@pytest.fixture
def bob_section(bob, garden_book):
    return make_section(bob, "Soil")
