"""The outline's order, read two ways: as rows (pages, the API) and as lines (every question)."""

import pytest

from courses.models import Course, CourseSection
from courses.selectors import outline, section_lines_in_order, sections_in_order

pytestmark = pytest.mark.django_db


def section(course, order, title, parent=None, minutes=10):
    return CourseSection.objects.create(
        course=course, parent_section=parent, order_index=order, title=title, estimated_minutes=minutes
    )


def test_lines_follow_the_outline_of_parts_and_sections(alice):
    course = Course.objects.create(owner=alice, original_query="q", requested_hours=1, title="C")
    second = section(course, 1, "Part two")
    first = section(course, 0, "Part one")
    section(course, 1, "1b", first, 15)
    section(course, 0, "2a", second, 20)
    section(course, 0, "1a", first, 5)
    lines = section_lines_in_order(course.pk)
    assert [s.title for s in sections_in_order(course)] == ["1a", "1b", "2a"]
    assert [(s.pk, s.title, s.estimated_minutes) for s in lines] == [
        (s.pk, s.title, s.estimated_minutes) for s in sections_in_order(course)
    ]
    assert [p["part"].title for p in outline(course)] == ["Part one", "Part two"]


def test_sections_without_parts_are_the_sections_in_order(alice):
    course = Course.objects.create(owner=alice, original_query="q", requested_hours=1, title="C")
    section(course, 1, "b")
    section(course, 0, "a")
    assert [s.title for s in section_lines_in_order(course.pk)] == ["a", "b"]
    assert [s.title for s in sections_in_order(course)] == ["a", "b"]
    [default] = outline(course)
    assert default["default"] and [s.title for s in default["sections"]] == ["a", "b"]
    empty = Course.objects.create(owner=alice, original_query="q", requested_hours=1, title="E")
    assert section_lines_in_order(empty.pk) == [] and outline(empty) == []
