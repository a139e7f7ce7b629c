"""The whole learner journey in a real browser (issue #13): the system Chromium, through Playwright,
against gunicorn (the web server `make run` starts) and a real Celery worker on the embedded
Postgres and Redis, with the offline engine.

alice signs in, drops a PDF and an EPUB on the library page, watches them become Ready, searches and
opens a result, requests a half-hour course and watches its phases, opens the outline and a section
(the lecture is written while she watches, segment by segment), opens a citation, takes the quiz,
asks a question the books answer and one they do not, marks the section complete, sees her
progress and publishes the course. bob signs in, enrols and opens the same section: the shared
lecture is there at once. Then the header, outline and section page at 390 px.

A screenshot of every step goes to var/screenshots/journey/ (`.ci/run` prints the path). Skipped,
with the reason, where Chromium or Playwright is missing (`apt-get install chromium`)."""

from __future__ import annotations

import base64
import re
import shutil
import socket
import time
from pathlib import Path

import httpx
import pytest
from django.conf import global_settings, settings
from django.db import connection, connections

from courses.models import Course
from courses.tests.bread import build_books  # the lecture tests' bread book: a PDF and an EPUB
from docprof.tests import browser
from lectures.models import Lecture
from library.models import Book
from workers.models import GenerationJob
from workers.testing import worker_environment
from workers.tests.support.stack import Stack

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), browser.needs_chromium]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "journey"
PHONE = 390
WAIT = 30_000  # ms: the longest any one step may take (a loaded 2-core CI machine)
# Each part of the lecture after the first is held back this long in the worker, so the page is
# seen while the lecture is being written, one part at a time (the offline writer alone takes ms).
SEGMENT_DELAY = 2.0


# -- the stack: gunicorn and a Celery worker on the test database -------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_stack(transactional_db, settings, tmp_path, embedded_redis):
    # No leftovers: tasks other tests enqueued with no worker, lecture inputs, rate-limit history.
    embedded_redis.delete("celery")
    for pattern in ("docprof:lecture-*", "docprof:throttle:*"):
        keys = list(embedded_redis.scan_iter(pattern))
        if keys:
            embedded_redis.delete(*keys)
    env = worker_environment(
        connection.settings_dict["NAME"],
        settings.MEDIA_ROOT,
        DOCPROF_LLM="none",
        DOCPROF_EMBEDDINGS="hashing",
        DOCPROF_TEST_SEGMENT_DELAY=str(SEGMENT_DELAY),
    )
    stack = Stack(env, tmp_path / "logs")
    url = stack.start_gunicorn(_free_port(), workers=1, threads=8)
    stack.start_worker(concurrency=2)
    deadline = time.monotonic() + 60
    while True:
        assert stack.alive("web"), stack.log_tail("web")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
        time.sleep(0.2)
    try:
        yield url, stack
    finally:
        stack.stop_all()


@pytest.fixture
def chromium_page(live_stack, monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test's own ORM reads, in Playwright's loop
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser.CHROMIUM, args=["--no-sandbox"])
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(WAIT)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page, errors
        chromium.close()
        connections.close_all()


class Shots:
    """Numbered screenshots, named by step."""

    def __init__(self, page):
        self.page = page
        self.n = 0
        self.times: list[tuple[str, float]] = []
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True)

    def __call__(self, name: str, full_page: bool = True) -> None:
        self.n += 1
        self.times.append((name, time.monotonic()))
        self.page.screenshot(path=SHOTS / f"{self.n:02d}-{name}.png", full_page=full_page)


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Your library")
    page.wait_for_load_state()  # the page's scripts (drag and drop, htmx) are running


def drop_files(page, selector: str, paths: list[Path]) -> None:
    """What a drag and drop from the desktop does: dragenter, dragover and drop with the files."""
    types = {".pdf": "application/pdf", ".epub": "application/epub+zip"}
    files = [
        {"name": p.name, "b64": base64.b64encode(p.read_bytes()).decode(), "type": types[p.suffix]}
        for p in paths
    ]
    transfer = page.evaluate_handle(
        """files => {
            const dt = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.b64), c => c.charCodeAt(0));
                dt.items.add(new File([bytes], f.name, {type: f.type}));
            }
            return dt;
        }""",
        files,
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(selector, event, {"dataTransfer": transfer})


def no_sideways_scroll(page) -> int:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE + 2, f"{page.url} is {width} px wide at {PHONE} px"
    return width


def on_screen(page, selector: str) -> None:
    """The control is visible and, scrolled to, lies within the phone's width."""
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    assert element.is_visible(), selector
    box = element.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE + 1, (selector, box)


def report(stack) -> str:
    """What the jobs and the processes said: for a failing step's message."""
    jobs = "\n".join(
        str(row)
        for row in GenerationJob.objects.order_by("pk").values_list(
            "pk", "kind", "status", "phase", "message", "error", "attempts", "heartbeat_at"
        )
    )
    lectures = "\n".join(
        f"{lec.pk} v{lec.version} {lec.status} by {lec.generated_by_id} key {lec.cache_key[:12]} "
        f"{ {k: v for k, v in lec.key_inputs.items() if k not in ('hashes',)} }"
        for lec in Lecture.objects.order_by("pk")
    )
    logs = f"worker log:\n{stack.log_tail('worker')}\nweb log:\n{stack.log_tail('web')}"
    return f"lectures:\n{lectures}\njobs:\n{jobs}\n{logs}"


def test_learner_journey(chromium_page, live_stack, tmp_path, django_user_model, settings):
    page, js_errors = chromium_page
    url, stack = live_stack
    # gunicorn checks passwords with the product's hashers (the tests' fast one is not among them).
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    try:
        journey(page, url, tmp_path, django_user_model)
    except Exception as exc:
        page.screenshot(path=SHOTS / "failed.png", full_page=True)
        raise AssertionError(f"{exc}\n{report(stack)}") from exc
    assert js_errors == [], js_errors


def journey(page, url, tmp_path, django_user_model):
    started = time.monotonic()
    django_user_model.objects.create_user("alice", password="alice-password-1")
    django_user_model.objects.create_user("bob", password="bob-password-1")
    pdf, epub = build_books(tmp_path)
    shot = Shots(page)

    # Sign in.
    page.goto(f"{url}/library/")
    page.wait_for_selector("input[name=username]")  # a page that needs a login asks for one
    shot("sign-in")
    sign_in(page, url, "alice", "alice-password-1")

    # Upload a PDF and an EPUB by drag and drop, shared so that the course can be published.
    drop_files(page, "#dropzone", [pdf, epub])
    assert page.inner_text("#file-list") == "bread-dough.pdf, baking.epub"
    page.check("input[name=shared]")
    shot("files-dropped")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("text=Reading 2 book(s)")
    shot("ingesting")

    # Ingestion progress until both rows are Ready, with title, pages and chapters (no reload).
    page.evaluate("window.__notReloaded = true")
    page.wait_for_function(
        """() => {
            const rows = document.querySelectorAll("tr[id^=book-]");
            return rows.length === 2
                && [...rows].every(r => !r.hasAttribute("data-poll") && r.innerText.includes("Ready"));
        }""",
        timeout=60_000,
    )
    assert page.evaluate("window.__notReloaded") is True
    for book in Book.objects.all():
        row = page.locator(f"#book-{book.pk}")
        assert book.title in row.inner_text()
        assert row.locator("td[data-label=Pages]").inner_text().strip().rstrip("*") == str(book.pages)
        assert row.locator("td[data-label=Chapters]").inner_text().strip() == str(book.chapters.count())
    titles = set(Book.objects.values_list("title", flat=True))
    assert titles == {"Bread Dough and Fermentation", "The Baking of Bread"}, titles
    assert Book.objects.get(format="pdf").pages == 4
    shot("books-ready")

    # Search, and open a result: the book page at the chapter the passage comes from.
    page.fill("input[name=q]", "what does hydration mean for a dough")
    page.click("form[hx-get] button[type=submit]")
    page.wait_for_selector("#search-results .hits li")
    first_hit = page.inner_text("#search-results .hits li >> nth=0")
    assert first_hit.startswith("Bread Dough and Fermentation · Chapter 1 Flour and Water"), first_hit
    shot("search-results")
    page.click("#search-results .hits li >> nth=0 >> a")
    page.wait_for_selector("h2:has-text('Chapters')")
    assert re.search(r"#chapter-\d+$", page.url), page.url
    assert page.inner_text(":target strong") == "Chapter 1 Flour and Water"
    shot("search-result-opened")

    # Request a half-hour course and watch its phases.
    page.goto(f"{url}/courses/new/")
    page.fill("#id_query", "Bread: gluten, hydration, fermentation, proofing and oven spring")
    page.fill("#id_hours", "0.5")
    # Tiny books: at depth "deep" and 60 words a minute each chapter holds a ten-minute section.
    page.select_option("#id_depth", "deep")
    page.fill("#id_pace_wpm", "60")
    # The preview plans with the depth and pace too: the books it lists are the course's.
    page.wait_for_selector("#preview .preview-books :text('Bread Dough and Fermentation')")
    shot("course-request")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#course-progress .phases li")
    phases = page.locator("#course-progress .phase").all_inner_texts()
    assert len(phases) == 6 and "Understanding the request" in phases[0], phases
    shot("course-phases")
    # When the last phase is done the page opens the outline by itself.
    page.wait_for_url(re.compile(r"/courses/\d+/$"), timeout=60_000)
    page.wait_for_selector(".part .section-link")
    course = Course.objects.get()
    assert course.status == "ready" and course.job.status == "complete"
    assert page.locator(".section-link").count() >= 2
    shot("outline")

    # A section: the lecture being written, parts appearing, then the whole lecture.
    first = page.locator(".section-link").first
    section_title = first.inner_text().strip()
    first.click()
    page.wait_for_selector("#live .badge:has-text('writing')")
    shot("lecture-writing")
    written = page.wait_for_function(  # one look at the page: parts shown, the lecture not finished
        """() => {
            const live = document.getElementById("live");
            return live && live.querySelector(".lecture .segment")
                ? live.querySelector(".progress-head").innerText : null;
        }"""
    ).json_value()
    done, total = map(int, re.search(r"(\d+) of (\d+) parts written", written).groups())
    assert 1 <= done < total, written
    shot("lecture-segments-appear")
    page.wait_for_selector("#lecture .lecture-meta", timeout=60_000)
    page.wait_for_load_state()
    assert page.locator("#live").count() == 0
    lecture = Lecture.objects.get(status="ready")
    assert page.locator("#lecture .segment").count() >= total
    chips = page.locator("#lecture button.chip")
    assert chips.count() >= 1 and "all verified" in page.inner_text(".lecture-meta")
    shot("lecture-ready")

    # A citation chip: the quote, the book and the pages.
    chips.first.click()
    pop = page.locator("#cite-1")
    pop.wait_for(state="visible")
    cited = lecture.citations[0]
    text = pop.inner_text()
    assert cited["book_title"] in text and cited["quote"][:40] in " ".join(text.split())
    assert re.search(r"\bpp?\. \d+", text), text
    shot("citation-open", full_page=False)
    page.keyboard.press("Escape")
    pop.wait_for(state="hidden")

    # The quiz: every answer right, the score shown.
    browser.answer_quiz(page, lecture.quiz)
    page.locator(".quiz-results").evaluate("e => e.scrollIntoView({block: 'start'})")
    shot("quiz-score", full_page=False)

    # A question the books answer, with its sources.
    # The answer streams in (qa.js), then the stored exchange, with its checked sources, replaces it.
    answered = "#qa-history .qa-exchange:not(.qa-writing) .qa-sources li"
    browser.ask_question(page, "What is the hydration of a dough?", answered)
    answer = page.locator("#qa-history .qa-exchange").first
    assert "qa-not_found" not in answer.get_attribute("class")
    assert answer.locator(".qa-sources li").count() >= 1
    assert "verified" in answer.locator(".qa-sources").inner_text()
    answer.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot("question-answered", full_page=False)

    # One the library cannot answer: an honest refusal.
    browser.ask_question(
        page, "Who won the football world cup in 1966?", "#qa-history .qa-not_found:not(.qa-writing)"
    )
    refusal = page.inner_text("#qa-history .qa-not_found .qa-answer")
    assert refusal.startswith("Your library does not cover this"), refusal
    page.locator("#qa-history .qa-not_found").evaluate("e => e.scrollIntoView({block: 'center'})")
    shot("question-refused", full_page=False)

    # Mark complete, then the course's progress.
    page.click("button:has-text('Mark complete') >> nth=0")
    page.wait_for_selector("text=marked complete")
    page.wait_for_selector(".section-actions .ok:has-text('Completed')")
    shot("section-complete")
    page.click(".crumbs a")
    page.wait_for_selector("#learning-progress")
    sections_total = course.sections.filter(parent_section__isnull=False).count()
    assert f"1 of {sections_total} sections" in page.inner_text("#learning-progress")
    done = page.locator(f".section:has(.section-link:has-text('{section_title}')) .badge")
    assert done.inner_text() == "completed"
    assert page.locator(".section .badge:has-text('completed')").count() == 1
    shot("course-progress")

    # Publish; bob enrols and gets the same lecture at once, from the shared library of lectures.
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=Listed in")
    shot("published")
    page.click("button:has-text('Log out')")
    sign_in(page, url, "bob", "bob-password-1")
    page.click("nav >> text=Courses")
    page.click("text=Browse courses")
    page.wait_for_selector(f"td:has-text('{course.title}')")
    shot("browse-courses")
    page.click("button:has-text('Enrol')")
    page.wait_for_selector("text=You are enrolled")
    shot("enrolled")
    clicked = time.monotonic()
    page.click(f".section-link:has-text('{section_title}')")
    page.wait_for_selector("#lecture .lecture-meta")
    instant = time.monotonic() - clicked
    assert page.locator("#live").count() == 0  # no "being written" step at all
    assert "from the shared library of lectures" in page.inner_text(".lecture-meta")
    assert Lecture.objects.count() == 1  # the same version, not a second one
    assert instant < 5, instant
    shot("cached-lecture")

    # At 390 px: the header, the outline and the section page stay usable (screens, not whole pages).
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.reload()
    page.wait_for_selector("#lecture")
    no_sideways_scroll(page)
    header = ["header .brand", "nav >> text=Library", "nav >> text=Courses", "button:has-text('Log out')"]
    for control in header:
        on_screen(page, control)
    shot("phone-section-top", full_page=False)
    on_screen(page, "#lecture button.chip")
    page.locator("#lecture button.chip").first.click()
    pop = page.locator("#cite-1")
    pop.wait_for(state="visible")
    on_screen(page, "#cite-1")
    shot("phone-citation", full_page=False)
    page.keyboard.press("Escape")
    pop.wait_for(state="hidden")
    for control in (".quiz button[type=submit]", "#qa textarea", "#qa button[type=submit]"):
        on_screen(page, control)
    shot("phone-section-questions", full_page=False)
    on_screen(page, "button:has-text('Mark complete')")
    page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    shot("phone-section-end", full_page=False)
    page.evaluate("window.scrollTo(0, 0)")
    page.click(".crumbs a")
    page.wait_for_selector(".part .section-link")
    no_sideways_scroll(page)
    shot("phone-outline", full_page=False)
    on_screen(page, "#learning-progress a.button")
    on_screen(page, ".section-link")
    shot("phone-outline-sections", full_page=False)
    page.goto(f"{url}/library/")
    no_sideways_scroll(page)
    on_screen(page, "#dropzone")
    on_screen(page, "input[name=q]")
    shot("phone-library", full_page=False)

    steps, last = [], started
    for name, at in shot.times:
        steps.append(f"{name} {at - last:.1f}")
        last = at
    print(f"journey: {time.monotonic() - started:.1f} s, cached lecture in {instant * 1000:.0f} ms")
    print("steps (s since the previous screenshot):", ", ".join(steps))
