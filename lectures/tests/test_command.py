import io
import json

import pytest
from django.core.management import CommandError, call_command

from lectures.models import SectionDelivery
from lectures.tests.support import make_course

pytestmark = pytest.mark.django_db


def test_lecture_command_writes_and_prints_one_json_line(alice, bob, book):
    _, section = make_course(alice, book)
    out = io.StringIO()
    call_command(
        "lecture", str(section.pk), "--user", "alice", "--json", "--inline", stdout=out, stderr=io.StringIO()
    )
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert set(data) == {"delivery_id", "was_cached", "lecture"}
    assert data["lecture"]["status"] == "ready" and data["lecture"]["citations"]
    assert SectionDelivery.objects.filter(pk=data["delivery_id"], user=alice).exists()

    text = io.StringIO()
    call_command("lecture", str(section.pk), "--user", "alice", stdout=text, stderr=io.StringIO())
    assert "Citations:" in text.getvalue() and "Quiz:" in text.getvalue()

    with pytest.raises(CommandError):
        call_command("lecture", str(section.pk), "--user", "bob", stdout=io.StringIO(), stderr=io.StringIO())


def test_lecture_command_without_a_worker_writes_in_process(alice, book):
    _, section = make_course(alice, book)
    err = io.StringIO()
    out = io.StringIO()
    call_command(
        "lecture",
        str(section.pk),
        "--user",
        "alice",
        "--json",
        "--wait-for-worker",
        "0",
        stdout=out,
        stderr=err,
    )
    assert json.loads(out.getvalue())["lecture"]["status"] == "ready"
    assert "No worker started the job" in err.getvalue()
