"""Re-ingesting a book: passages compared by content hash; lectures citing a changed or vanished
passage are stale (with which citations), unchanged ones stay valid with citations remapped."""

import json

import pytest
from django.core.management import call_command

from lectures.models import Lecture
from lectures.tests.books import BAKING_MD
from lectures.tests.support import make_course
from lectures.tests.test_book_versions import rewrite_start
from lectures.tests.test_shared_courses import client_for, open_lecture
from library.models import Chunk

pytestmark = pytest.mark.django_db


def reingest(book, tmp_path, text=None, capsys=None) -> dict:
    args = [book.pk, "--json"]
    if text is not None:
        path = tmp_path / "bread-v2.md"
        path.write_text(text)
        args += ["--file", str(path)]
    call_command("reingest", *map(str, args))
    return json.loads(capsys.readouterr().out)


def test_unchanged_book_keeps_lectures_valid_with_citations_remapped(
    alice, alice_client, book, tmp_path, capsys
):
    _, section = make_course(alice, book)
    data = open_lecture(client_for(alice), section)["lecture"]
    old_ids = {c["chunk_id"] for c in data["citations"]}
    result = reingest(book, tmp_path, capsys=capsys)
    assert result["stale"] == 0 and result["changed_passages"] == 0 and result["lectures"] == 1
    lecture = Lecture.objects.get(pk=data["id"])
    new_ids = {c["chunk_id"] for c in lecture.citations}
    assert not lecture.stale and new_ids.isdisjoint(old_ids)
    texts = dict(Chunk.objects.filter(id__in=new_ids).values_list("id", "text"))
    assert all(c["quote"].split()[0] in texts[c["chunk_id"]] for c in lecture.citations)
    served = client_for(alice).get(f"/api/sections/{section.pk}/lecture").json()["lecture"]
    assert served["stale"] is False and {c["chunk_id"] for c in served["citations"]} == new_ids
    # the passage a chip opens still opens
    cited = lecture.citations[0]
    page = alice_client.get(
        f"/sections/lectures/{lecture.pk}/passages/{cited['chunk_id']}/", {"q": cited["quote"]}
    )
    assert page.status_code == 200 and b"<mark>" in page.content


def test_changed_passage_marks_citing_lectures_stale(alice, alice_client, book, tmp_path, capsys):
    _, section = make_course(alice, book)
    data = open_lecture(client_for(alice), section)["lecture"]
    first_quote = data["citations"][0]["quote"]
    changed = rewrite_start(BAKING_MD, first_quote)
    result = reingest(book, tmp_path, changed, capsys)
    assert result["stale"] == 1 and result["changed_passages"] >= 1
    lecture = Lecture.objects.get(pk=data["id"])
    assert lecture.stale and 1 in lecture.stale_citations
    assert len(lecture.stale_citations) < len(lecture.citations)  # only the changed passages
    served = client_for(alice).get(f"/api/sections/{section.pk}/lecture").json()["lecture"]
    assert served["stale"] is True and served["stale_citations"] == lecture.stale_citations
    page = alice_client.get(f"/sections/{section.pk}/")
    assert b"changed since this lecture was written" in page.content
    # regenerated on request: a new key (the passages changed), a fresh version that is not stale
    response = client_for(alice).post(f"/api/sections/{section.pk}/lecture/regenerate")
    assert response.status_code == 202
    from workers import engine

    engine.run_inline(response.json()["job_id"])
    fresh = Lecture.objects.get(pk=response.json()["lecture_id"])
    assert fresh.status == "ready" and not fresh.stale
