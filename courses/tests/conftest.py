from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest

from courses.services import CourseRequest, create_course
from courses.tests.books import GARDENING_MD, VALUATION_MD
from library.tests.conftest import ingest
from workers import engine
from workers.testing import run_steps


@pytest.fixture
def library(alice):
    return [ingest(alice, "valuation.md", VALUATION_MD), ingest(alice, "tomatoes.md", GARDENING_MD)]


@contextmanager
def planner_used(planner):
    """Make the course steps plan with `planner` (None: the configured one)."""
    if planner is None:
        yield
        return
    with mock.patch("courses.steps.get_planner", lambda: planner):
        yield


def run_chain(job_id: int, planner=None) -> None:
    """What a worker does with a course job, in this process: every step in order."""
    with planner_used(planner):
        engine.run_inline(job_id)


def run_phases(job_id: int, names, planner=None) -> None:
    with planner_used(planner):
        run_steps(job_id, names)


def request_course(user, query="Learn DCF valuation", hours="1", **preferences):
    prefs = {"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150, **preferences}
    return create_course(user, CourseRequest(query=query, hours=Decimal(hours), preferences=prefs))
