"""The section page, the outline's links, the default part, progress on the course pages."""

import pytest

from courses.models import CourseSection
from docprof.ai.errors import InvalidRequest
from lectures.models import Lecture, SectionDelivery
from lectures.rendering import to_html
from lectures.tests.support import ScriptedLectureLLM, add_section, make_course
from workers import engine

pytestmark = pytest.mark.django_db


def write(client, section):
    """Open the page (which starts the generation), run the job, open it again."""
    first = client.get(f"/sections/{section.pk}/")
    assert first.status_code == 200
    lecture = Lecture.objects.get(status="generating")
    assert b'hx-get="/sections/%d/live/"' % section.pk in first.content
    engine.run_inline(lecture.job_id)
    return client.get(f"/sections/{section.pk}/")


def test_outline_links_every_section_and_shows_progress(alice, alice_client, book):
    course, section = make_course(alice, book)
    second = add_section(course, section.parent_section, "Baking the loaf", ["Describe oven spring"], order=1)
    page = alice_client.get(f"/courses/{course.pk}/").content.decode()
    assert f'href="/sections/{section.pk}/"' in page and f'href="/sections/{second.pk}/"' in page
    assert "0 of 2 sections" in page
    write(alice_client, section)
    alice_client.post(f"/sections/{section.pk}/complete/")
    page = alice_client.get(f"/courses/{course.pk}/").content.decode()
    assert "1 of 2 sections" in page and "Baking the loaf →" in page
    listing = alice_client.get("/courses/").content.decode()
    assert "1/2 sections" in listing


def test_a_course_with_sections_but_no_parts_has_a_default_part(alice, alice_client, book):
    course, section = make_course(alice, book)
    CourseSection.objects.filter(pk=section.pk).update(parent_section=None, order_index=1)
    CourseSection.objects.filter(pk=section.parent_section_id).delete()
    page = alice_client.get(f"/courses/{course.pk}/").content.decode()
    assert course.title in page and f'href="/sections/{section.pk}/"' in page
    assert alice_client.get(f"/sections/{section.pk}/").status_code == 200


def test_section_page_shows_the_lecture_with_chips_quiz_and_actions(alice, alice_client, book):
    course, section = make_course(alice, book)
    nxt = add_section(course, section.parent_section, "Baking the loaf", ["Describe oven spring"], order=1)
    page = write(alice_client, section).content.decode()
    lecture = Lecture.objects.get()
    assert 'popovertarget="cite-1"' in page and 'id="cite-1"' in page
    assert lecture.citations[0]["book_title"] in page
    assert "Mark complete" in page and f'href="/sections/{nxt.pk}/"' in page
    for q in lecture.quiz:
        assert q["explanation"] not in page  # nothing of the answers before submission
    # The quoted passage opens from the chip.
    c = lecture.citations[0]
    passage = alice_client.get(
        f"/sections/lectures/{lecture.pk}/passages/{c['chunk_id']}/", {"q": c["quote"]}
    )
    assert passage.status_code == 200 and b"<mark>" in passage.content


def test_quiz_through_the_page(alice, alice_client, book):
    _, section = make_course(alice, book)
    write(alice_client, section)
    lecture = Lecture.objects.get()
    bad = alice_client.post(f"/sections/{section.pk}/quiz/", {}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    answers = {q["id"]: q["answer"] for q in lecture.quiz}
    good = alice_client.post(f"/sections/{section.pk}/quiz/", answers, HTTP_HX_REQUEST="true")
    assert good.status_code == 200
    assert f"{len(answers)} of {len(answers)}" in good.content.decode()


def test_other_users_section_page_is_404(alice, bob, client, book):
    _, section = make_course(alice, book)
    client.force_login(bob)
    assert client.get(f"/sections/{section.pk}/").status_code == 404
    assert client.post(f"/sections/{section.pk}/complete/").status_code == 404
    assert not Lecture.objects.exists()


def test_failed_lecture_shows_a_readable_error_and_retry(alice, alice_client, book, monkeypatch):
    llm = ScriptedLectureLLM()
    llm.default = lambda *a: InvalidRequest("the model refused")
    monkeypatch.setattr("lectures.writing.current_llm", lambda: llm)
    _, section = make_course(alice, book)
    alice_client.get(f"/sections/{section.pk}/")
    lecture = Lecture.objects.get()
    engine.run_inline(lecture.job_id)
    page = alice_client.get(f"/sections/{section.pk}/").content.decode()
    assert "could not be written" in page and "Retry" in page
    assert Lecture.objects.get().status == "failed"  # the page did not restart it by itself
    assert alice_client.post(f"/sections/{section.pk}/retry/").status_code == 302
    assert Lecture.objects.get().status == "generating" and Lecture.objects.count() == 1
    assert not SectionDelivery.objects.exists()


def test_lecture_html_is_sanitised():
    html = to_html('<script>alert(1)</script> Text [1] and [9] <img src=x onerror="x()">', [{"n": 1}])
    assert "<script" not in html and "<img" not in html  # shown as text, never as markup
    assert 'popovertarget="cite-1"' in html and "[9]" in html


def test_admin_lists_lectures_deliveries_and_attempts(alice, alice_client, admin_client, book):
    _, section = make_course(alice, book)
    write(alice_client, section)
    lecture = Lecture.objects.get()
    for name in ("lecture", "sectiondelivery", "quizattempt"):
        assert admin_client.get(f"/admin/lectures/{name}/").status_code == 200
    assert admin_client.get(f"/admin/lectures/lecture/{lecture.pk}/change/").status_code == 200
    assert admin_client.get("/admin/lectures/lecture/add/").status_code == 403
