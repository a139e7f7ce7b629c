import pytest

from courses.phases import PHASES
from courses.services import CourseRequest, create_course
from courses.tests.books import GARDENING_MD, VALUATION_MD
from library.tests.conftest import ingest
from workers import course_runner


@pytest.fixture
def library(alice):
    return [ingest(alice, "valuation.md", VALUATION_MD), ingest(alice, "tomatoes.md", GARDENING_MD)]


def run_chain(job_id: int, planner=None) -> None:
    """What the Celery chain does, in this process: every phase in order."""
    for name in PHASES:
        course_runner.run_phase(job_id, name, planner=planner)


def request_course(user, query="Learn DCF valuation", hours="1", **preferences):
    prefs = {"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150, **preferences}
    return create_course(
        user, CourseRequest(query=query, hours=__import__("decimal").Decimal(hours), preferences=prefs)
    )
