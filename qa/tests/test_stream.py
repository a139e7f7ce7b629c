"""Streamed answers: POST /api/sections/{id}/questions/stream answers with server-sent events (deltas
while a model writes, then the same object as the plain endpoint); the message and the model's
answer are each recorded once, at the end; quotes are verified before sources are shown. The same
for `manage.py ask`: the answer printed as it is written, then its sources; `--json` one line."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from docprof.ai.errors import Unavailable
from docprof.ai.fake import FakeLLM
from docprof.ai.models import LLMCall
from qa import engine
from qa.model import QuotesSplitter
from qa.models import QAMessage, QASession

pytestmark = pytest.mark.django_db
QUESTION = "How is the terminal value estimated?"
GGM = "The terminal value is estimated with the Gordon growth model (GGM)"


def stream(client, section_id, **body):
    return client.post(f"/api/sections/{section_id}/questions/stream", body, format="json")


def events(response) -> list[tuple[str, dict]]:
    """(event, data) pairs, parsed from the body as a browser's EventSource would."""
    assert response["Content-Type"].startswith("text/event-stream")
    raw = b"".join(response.streaming_content).decode()
    parsed = []
    for block in raw.split("\n\n"):
        if block.strip():
            fields = dict(line.split(": ", 1) for line in block.splitlines())
            parsed.append((fields["event"], json.loads(fields["data"])))
    return parsed


def model_reply(answer_text: str):
    def reply(system, messages, schema):
        if schema is not None:
            return {"answers": True, "passages": [1]}  # the judge
        if "QUOTES:" in messages[-1]["content"]:
            return answer_text
        return "terminal value Gordon growth model perpetuity"  # the vocabulary rewrite

    return reply


@pytest.fixture
def model(monkeypatch):
    def use(answer_text: str) -> FakeLLM:
        llm = FakeLLM(default=model_reply(answer_text))
        monkeypatch.setattr(engine, "get_llm", lambda: llm)
        return llm

    return use


def test_offline_answers_come_as_one_final_event_with_the_plain_contract(alice_api, section):
    found = events(stream(alice_api, section.pk, question=QUESTION, position_seconds=20))
    assert [e for e, _ in found] == ["final"]  # the offline answerer is whole at once: no deltas
    final = found[0][1]
    message = QAMessage.objects.get()
    assert final["message_id"] == message.pk and final["session_id"] == message.session_id
    plain = alice_api.post(
        f"/api/sections/{section.pk}/questions", {"question": QUESTION, "position_seconds": 20}, format="json"
    ).json()
    assert set(final) == set(plain)
    assert {k: final[k] for k in ("kind", "answer", "sources")} == {
        k: plain[k] for k in ("kind", "answer", "sources")
    }
    assert final["kind"] == "library" and all(s["verified"] for s in final["sources"])


def test_model_answers_stream_deltas_then_the_verified_final(alice_api, section, model):
    llm = model(
        f'It uses the Gordon growth model [1], not the moon [7].\nQUOTES: [{{"n": 1, "quote": "{GGM}"}}]'
    )
    found = events(stream(alice_api, section.pk, question=QUESTION))
    kinds = [e for e, _ in found]
    assert kinds[-1] == "final" and kinds.count("final") == 1 and kinds.count("delta") >= 5
    shown = "".join(d["text"] for e, d in found if e == "delta")
    assert shown.strip() == "It uses the Gordon growth model [1], not the moon [7]."  # quotes never shown
    final = found[-1][1]
    assert (
        final["kind"] == "library"
        and final["answer"] == "It uses the Gordon growth model [1], not the moon ."
    )
    assert [(s["n"], s["quote"], s["verified"]) for s in final["sources"]] == [(1, GGM, True)]
    assert QAMessage.objects.count() == 1 and QAMessage.objects.get().answer == final["answer"]
    assert LLMCall.objects.filter(purpose="qa.answer_stream").count() == 1
    assert [c["schema"].__name__ if c["schema"] else None for c in llm.calls] == [None, "Judgement", None]


def test_a_quote_the_model_made_up_is_replaced_before_it_is_shown(alice_api, section, model):
    model('It uses the Gordon growth model [1].\nQUOTES: [{"n": 1, "quote": "Growth is magic."}]')
    final = events(stream(alice_api, section.pk, question=QUESTION))[-1][1]
    assert "magic" not in json.dumps(final) and final["sources"][0]["verified"]


def test_a_model_failure_mid_answer_is_an_error_event_and_stores_nothing(alice_api, section, model):
    llm = model("unused")
    llm.default = None
    llm.script.extend(
        [
            "terminal value",  # the vocabulary rewrite
            {"answers": True, "passages": [1]},
            Unavailable("the server at 10.0.0.7 went away"),
        ]
    )
    llm.max_attempts = 1
    found = events(stream(alice_api, section.pk, question=QUESTION))
    assert found == [("error", {"detail": "The model did not finish the answer; ask again."})]
    assert not QAMessage.objects.exists()
    assert not QASession.objects.exists()  # a session is stored with its first answered question


def test_refusals_are_plain_errors_before_any_stream(alice_api, section, bob_section):
    r = stream(alice_api, section.pk, question="   ")
    assert r.status_code == 400 and not r.streaming
    assert stream(alice_api, bob_section.pk, question="What soil?").status_code == 404
    r = alice_api.post(
        f"/api/sections/{section.pk}/questions/stream",
        {"question": ""},
        format="json",
        HTTP_ACCEPT="text/event-stream, application/json",  # as the page asks
    )
    assert r.status_code == 400 and r["Content-Type"] == "application/json" and "question" in r.json()


def test_the_quotes_part_is_held_back_even_when_split_across_deltas():
    split = QuotesSplitter()
    shown = "".join(split.feed(d) for d in ["An answer [1].", "\nQUO", "TES: [", '{"n": 1, "quote": "q"}]'])
    assert shown == "An answer [1].\n"
    out = split.parsed()
    assert out.answer == "An answer [1]." and [(c.n, c.quote) for c in out.citations] == [(1, "q")]
    split = QuotesSplitter()
    assert split.feed("No quotes at all [2]") == "No quotes at all [2]"
    assert [c.n for c in split.parsed().citations] == [2]  # cited passages still get a quote


class Terminal:
    """A command's stdout that keeps every write, with how many answers were stored at that moment."""

    def __init__(self):
        self.writes: list[tuple[str, int]] = []

    def write(self, text):
        self.writes.append((text, QAMessage.objects.count()))

    def flush(self):
        pass

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.writes)


def ask(section_id, *args) -> Terminal:
    out = Terminal()
    call_command("ask", str(section_id), QUESTION, "--user", "alice", *args, stdout=out)
    return out


def test_ask_command_prints_the_answer_as_it_is_written_then_the_sources(section, model):
    model(f'It uses the Gordon growth model [1], not the moon [7].\nQUOTES: [{{"n": 1, "quote": "{GGM}"}}]')
    out = ask(section.pk)
    written = [t for t, stored in out.writes if not stored]  # printed before the answer was whole
    preview = "It uses the Gordon growth model [1], not the moon [7]."
    assert [w.strip() for w in written if w.strip()] == preview.split()  # word by word, in order
    assert "".join(written).strip() == preview and "QUOTES" not in out.text
    message = QAMessage.objects.get()
    after = out.text[len("".join(written)) :]  # then: the checked answer (it differs), the sources
    checked, final, source, session = after.splitlines()
    assert checked == "(with its citations checked:)" and final == message.answer
    assert final == "It uses the Gordon growth model [1], not the moon ."
    book = message.sources[0]["book_title"]
    assert source.startswith(f"  [1] {book}, ") and source.endswith(f"(verified): \u201c{GGM}\u201d")
    assert session == f"session {message.session_id}, library"


def test_ask_command_prints_an_offline_answer_whole_then_its_sources(section):
    out = ask(section.pk)
    assert all(stored for _, stored in out.writes)  # no preview: the answer comes whole, once stored
    lines = out.text.splitlines()
    assert lines[0] == QAMessage.objects.get().answer and lines[1].startswith("  [1] ")
    assert "(verified)" in lines[1] and lines[-1].endswith(", library")


def test_ask_command_json_is_one_line_with_the_final_object_even_with_a_streaming_model(section, model):
    llm = model("unused: --json does not stream")
    llm.default = None
    llm.script.extend(
        [
            "terminal value Gordon growth model",  # the vocabulary rewrite
            {"answers": True, "passages": [1]},
            {"answer": "It uses the Gordon growth model [1].", "citations": [{"n": 1, "quote": GGM}]},
        ]
    )
    out = ask(section.pk, "--json")
    lines = out.text.splitlines()
    assert len(lines) == 1 and all(stored for _, stored in out.writes)
    data = json.loads(lines[0])
    message = QAMessage.objects.get()
    assert data["message_id"] == message.pk and data["session_id"] == message.session_id
    assert data["kind"] == "library" and data["answer"] == "It uses the Gordon growth model [1]."
    assert [(s["n"], s["quote"], s["verified"]) for s in data["sources"]] == [(1, GGM, True)]
    assert not LLMCall.objects.filter(purpose="qa.answer_stream").exists()


def test_ask_command_says_plainly_when_the_model_fails_mid_answer(section, model):
    llm = model("unused")
    llm.default = None
    llm.script.extend(
        ["terminal value", {"answers": True, "passages": [1]}, Unavailable("10.0.0.7 went away")]
    )
    llm.max_attempts = 1
    with pytest.raises(CommandError, match="The model did not finish the answer; ask again."):
        ask(section.pk)
    assert not QAMessage.objects.exists()
