"""Long lists come in pages: the JSON lists stay plain arrays and take limit/offset, with the total
in X-Total-Count and the neighbouring pages in a Link header; the site's lists take ?page=."""

import pytest

from courses.models import Course
from library.models import Book

pytestmark = pytest.mark.django_db


def courses_of(owner, n: int) -> list[int]:
    made = [
        Course.objects.create(
            owner=owner, title=f"Course {i}", original_query=f"Learn {i}", requested_hours="1"
        )
        for i in range(n)
    ]
    return [c.pk for c in reversed(made)]  # newest first


def test_the_course_list_is_paged_by_limit_and_offset_with_link_and_total(alice_api, alice):
    ids = courses_of(alice, 5)
    first = alice_api.get("/api/courses?limit=2")
    assert first.status_code == 200 and [c["id"] for c in first.json()] == ids[:2]
    assert first["X-Total-Count"] == "5"
    assert 'rel="next"' in first["Link"] and "offset=2" in first["Link"] and 'rel="prev"' not in first["Link"]
    last = alice_api.get("/api/courses?limit=2&offset=4")
    assert [c["id"] for c in last.json()] == ids[4:]
    assert 'rel="prev"' in last["Link"] and 'rel="next"' not in last["Link"]
    whole = alice_api.get("/api/courses")
    assert [c["id"] for c in whole.json()] == ids and "Link" not in whole


def test_published_courses_and_books_are_paged_the_same_way(alice_api, alice):
    for i in range(3):
        Course.objects.create(
            owner=alice,
            title=f"Shared {i}",
            original_query="q",
            requested_hours="1",
            status=Course.Status.READY,
            published=True,
        )
        Book.objects.create(
            owner=alice,
            title=f"Book {i}",
            status=Book.Status.READY,
            format=Book.Format.TEXT,
            original_filename=f"b{i}.txt",
            file=f"books/test/b{i}.txt",
            sha256=f"{i}" * 64,
        )
    published = alice_api.get("/api/courses?published=1&limit=1")
    assert len(published.json()) == 1 and published["X-Total-Count"] == "3"
    books = alice_api.get("/api/books?limit=2")
    assert len(books.json()) == 2 and books["X-Total-Count"] == "3" and 'rel="next"' in books["Link"]


def test_the_my_courses_page_shows_fifty_a_page_with_links_between_pages(alice_client, alice):
    ids = courses_of(alice, 51)
    first = alice_client.get("/courses/").content.decode()
    assert "Page 1 of 2 (51 in all)" in first and "Next →" in first
    assert f"Course {50}" in first and "Course 0<" not in first
    second = alice_client.get("/courses/?page=2").content.decode()
    assert "Page 2 of 2" in second and "← Previous" in second and "Course 0" in second
    assert alice_client.get("/courses/?page=99").status_code == 200  # the last page
    assert len(ids) == 51


def test_a_bad_limit_or_offset_is_a_400_saying_which(alice_api):
    for query, field in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=x", "limit"),
        ("offset=-1", "offset"),
        ("offset=1&offset=2", "offset"),
    ]:
        response = alice_api.get(f"/api/courses?{query}")
        assert response.status_code == 400 and field in response.json(), query
    assert alice_api.get("/api/books?limit=2.5").status_code == 400
