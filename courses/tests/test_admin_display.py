"""The admin renders JSON for a person: preferences, coverage and book summaries as lists, not raw
JSON; and it names book summaries properly."""

import pytest
from django.urls import reverse

from courses.tests.conftest import request_course, run_chain
from library.models import BookSummary

pytestmark = pytest.mark.django_db


def field(html: str, name: str) -> str:
    return html.split(f"field-{name}", 1)[1].split('<div class="form-row', 1)[0]


def test_course_preferences_and_coverage_are_readable(admin_client, alice, library):
    course, job = request_course(alice, "Learn about discounting and terminal value", notes="<b>bold</b>")
    run_chain(job.pk)
    course.refresh_from_db()
    assert course.coverage["parts"], course.coverage
    html = admin_client.get(reverse("admin:courses_course_change", args=[course.pk])).content.decode()

    prefs = field(html, "preferences_display")
    assert "<dt>Depth</dt><dd>standard</dd>" in prefs
    assert "<dt>Pace (words per minute)</dt><dd>150</dd>" in prefs
    assert "&lt;b&gt;bold&lt;/b&gt;" in prefs and "<b>bold</b>" not in prefs  # escaped
    assert "{&quot;" not in prefs and '{"' not in prefs

    coverage = field(html, "coverage_display")
    first_part = course.coverage["parts"][0]
    assert "<dt>Parts</dt>" in coverage and first_part["part"] in coverage
    assert f"Book: {first_part['chapters'][0]['book_title']}" in coverage
    assert "{&quot;" not in coverage and '{"' not in coverage


def test_book_summaries_are_named_and_readable(admin_client, library):
    summary = BookSummary.objects.first()
    listing = admin_client.get(reverse("admin:library_booksummary_changelist")).content.decode()
    assert "Book summaries" in listing and "summarys" not in listing.lower()
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Book summaries" in index
    html = admin_client.get(reverse("admin:library_booksummary_change", args=[summary.pk])).content.decode()
    shown = field(html, "summary_display")
    assert "<dt>Overview</dt>" in shown and "{&quot;" not in shown
