"""`LLM.stream`: text as it is written, from an OpenAI-compatible server (a real HTTP server on
127.0.0.1 speaking server-sent events) and from Bedrock's `converse_stream` (botocore's Stubber with
a real event stream); one ledger row per answer, retries only before the first delta."""

import binascii
import json
import struct
import threading

import boto3
import pytest
from botocore.config import Config
from botocore.eventstream import EventStream
from botocore.stub import ANY, Stubber

from docprof.ai import errors
from docprof.ai.fake import FakeLLM
from docprof.ai.llm import collect
from docprof.ai.models import LLMCall
from docprof.ai.providers.bedrock import BedrockLLM
from docprof.ai.providers.openai_compat import OpenAICompatLLM, make_client
from docprof.ai.tests.support.fake_openai import BILLED_TOKENS, FakeOpenAI, Faults

pytestmark = pytest.mark.django_db
USER = [{"role": "user", "content": "What is WACC?"}]
ANSWER = "The weighted average cost of capital blends debt and equity [1]."


# -- OpenAI-compatible ----------------------------------------------------------------------------
@pytest.fixture
def model_server():
    server = FakeOpenAI(lambda schema, system, messages: ANSWER, port=0).start()
    yield server
    server.stop()


def openai_llm(server, **kw):
    client = make_client(server.base_url, "", timeout=5)
    return OpenAICompatLLM(client=client, model="fake-model", fallback_model="", limiter=None, **kw)


def test_openai_deltas_arrive_before_the_answer_is_finished(model_server):
    model_server.stream_gate = threading.Event()  # the server holds the rest of the answer until set
    stream = openai_llm(model_server).stream("Be brief.", USER, max_tokens=200, purpose="test.stream")
    first = next(stream)
    assert first == "The" and LLMCall.objects.count() == 0  # nothing recorded while it is written
    model_server.stream_gate.set()
    rest, result = collect(stream)
    assert first + "".join(rest) == ANSWER and len(rest) == len(ANSWER.split()) - 1
    assert result.text == ANSWER and result.stop_reason == "end_turn"
    assert result.usage.output_tokens == BILLED_TOKENS  # from the usage event at the end
    row = LLMCall.objects.get()
    assert row.pk == result.call_id and row.outcome == "ok" and row.response["text"] == ANSWER
    assert row.output_tokens == BILLED_TOKENS


def test_openai_stream_retries_a_throttled_start_and_records_one_row(model_server, settings):
    settings.DOCPROF_LLM_BACKOFF_BASE = 0.01
    model_server.faults = Faults(throttle=0.5, seed=3)
    llm = openai_llm(model_server, max_attempts=6)
    deltas, result = collect(llm.stream("Be brief.", USER, max_tokens=200, purpose="test.stream"))
    assert "".join(deltas) == ANSWER
    assert model_server.outcomes()["ok"] == 1 and sum(model_server.outcomes().values()) >= 1
    assert LLMCall.objects.count() == 1


def test_openai_stream_cut_off_is_an_error_after_the_text_shown(model_server):
    model_server.faults = Faults(malformed=1.0)
    stream = openai_llm(model_server).stream("Be brief.", USER, max_tokens=200, purpose="test.stream")
    shown = []
    with pytest.raises(errors.Unavailable, match="ended before"):
        for delta in stream:
            shown.append(delta)
    assert 0 < len(shown) < len(ANSWER.split())
    row = LLMCall.objects.get()
    assert row.outcome == "error" and row.response["text"] == "".join(shown)


def test_openai_stream_http_errors_are_mapped(model_server):
    model_server.faults = Faults(throttle=1.0)
    with pytest.raises(errors.Throttled):
        collect(openai_llm(model_server, max_attempts=1).stream("x", USER, max_tokens=10, purpose="t"))
    assert LLMCall.objects.get().outcome == "error"


def test_a_reader_that_stops_early_leaves_one_error_row(model_server):
    stream = openai_llm(model_server).stream("Be brief.", USER, max_tokens=200, purpose="test.stream")
    next(stream)
    stream.close()
    row = LLMCall.objects.get()
    assert row.outcome == "error" and "stopped the stream" in row.error


def test_the_request_asks_for_a_stream_with_usage(model_server):
    seen = []
    model_server.answer = lambda schema, system, messages: seen.append(messages) or "ok"
    collect(openai_llm(model_server).stream("Be brief.", USER, max_tokens=50, purpose="t"))
    assert seen == [USER]


# -- fake and replay ------------------------------------------------------------------------------
def test_fake_llm_streams_word_by_word_and_replays_inside_a_job():
    llm = FakeLLM(["one two three"])
    deltas, result = collect(llm.stream("s", USER, max_tokens=20, purpose="t", job=7))
    assert deltas == ["one", " two", " three"] and result.text == "one two three"
    again, replayed = collect(llm.stream("s", USER, max_tokens=20, purpose="t", job=7))
    assert again == ["one two three"] and replayed.replayed and len(llm.calls) == 1
    assert list(LLMCall.objects.values_list("outcome", flat=True).order_by("id")) == ["ok", "replayed"]


def test_a_truncated_stream_is_an_error_unless_allowed():
    llm = FakeLLM(["cut", "cut"], stop_reason="max_tokens")
    with pytest.raises(errors.OutputTruncated):
        collect(llm.stream("s", USER, max_tokens=5, purpose="t"))
    _, result = collect(llm.stream("s", USER, max_tokens=5, purpose="t", allow_truncated=True))
    assert result.stop_reason == "max_tokens"


# -- Bedrock --------------------------------------------------------------------------------------
MODEL = "us.anthropic.claude-3-5-haiku-20241022-v1:0"


@pytest.fixture
def bedrock():
    config = Config(region_name="us-east-1", retries={"mode": "standard", "max_attempts": 1})
    return boto3.client(
        "bedrock-runtime", config=config, aws_access_key_id="test", aws_secret_access_key="test"
    )


def _header(name: str, value: str) -> bytes:
    raw = value.encode()
    return bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(raw)) + raw


def event_message(kind: str, payload: dict, message_type: str = "event") -> bytes:
    """One message of the AWS event stream encoding (prelude, headers, payload, CRCs)."""
    type_header = ":event-type" if message_type == "event" else ":exception-type"
    headers = (
        _header(":message-type", message_type)
        + _header(type_header, kind)
        + _header(":content-type", "application/json")
    )
    body = json.dumps(payload).encode()
    total = 12 + len(headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + headers + body
    return message + struct.pack(">I", binascii.crc32(message) & 0xFFFFFFFF)


class RawStream:
    def __init__(self, messages: list[bytes]):
        self.messages, self.closed = messages, False

    def stream(self):
        yield from self.messages

    def close(self):
        self.closed = True


def converse_stream(client, messages: list[bytes]) -> tuple[dict, RawStream]:
    """A converse_stream response whose stream botocore parses from the wire encoding."""
    op = client.meta.service_model.operation_model("ConverseStream")
    shape = op.output_shape.members["stream"]
    raw = RawStream(messages)
    parser = client._response_parser._event_stream_parser  # as botocore builds the stream itself
    return {"stream": EventStream(raw, shape, parser, "ConverseStream")}, raw


def stubbed(client):
    stub = Stubber(client)
    stub._validate_operation_response = lambda *args: None  # Stubber cannot validate an event stream
    return stub


def test_bedrock_converse_stream_yields_text_deltas(bedrock):
    response, raw = converse_stream(
        bedrock,
        [
            event_message("messageStart", {"role": "assistant"}),
            event_message("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "The cost "}}),
            event_message("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "of capital."}}),
            event_message("contentBlockStop", {"contentBlockIndex": 0}),
            event_message("messageStop", {"stopReason": "end_turn"}),
            event_message(
                "metadata",
                {
                    "usage": {"inputTokens": 30, "outputTokens": 6, "totalTokens": 36},
                    "metrics": {"latencyMs": 80},
                },
            ),
        ],
    )
    expected = {
        "modelId": MODEL,
        "system": [{"text": ANY}],
        "messages": [{"role": "user", "content": [{"text": "What is WACC?"}]}],
        "inferenceConfig": {"maxTokens": 100, "temperature": 0.2},
    }
    llm = BedrockLLM(client=bedrock, model=MODEL, fallback_model="", limiter=None)
    with stubbed(bedrock) as stub:
        stub.add_response("converse_stream", response, expected)
        deltas, result = collect(llm.stream("Be brief.", USER, max_tokens=100, purpose="test.stream"))
        stub.assert_no_pending_responses()
    assert deltas == ["The cost ", "of capital."] and result.text == "The cost of capital."
    assert (result.usage.input_tokens, result.usage.output_tokens, result.latency_ms) == (30, 6, 80)
    assert raw.closed and LLMCall.objects.get().pk == result.call_id


def test_bedrock_throttled_before_the_first_delta_is_retried(bedrock, settings):
    settings.DOCPROF_LLM_BACKOFF_BASE = 0.01
    response, _ = converse_stream(
        bedrock,
        [
            event_message("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Hi"}}),
            event_message("messageStop", {"stopReason": "end_turn"}),
        ],
    )
    llm = BedrockLLM(client=bedrock, model=MODEL, fallback_model="", limiter=None, max_attempts=2)
    with stubbed(bedrock) as stub:
        stub.add_client_error("converse_stream", "ThrottlingException", "Too many requests", 429)
        stub.add_response("converse_stream", response)
        deltas, result = collect(llm.stream("s", USER, max_tokens=100, purpose="t"))
    assert deltas == ["Hi"] and LLMCall.objects.get().outcome == "ok"


def test_bedrock_error_event_mid_stream_is_mapped_and_recorded(bedrock):
    response, _ = converse_stream(
        bedrock,
        [
            event_message("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Half "}}),
            event_message("modelStreamErrorException", {"message": "boom"}, message_type="exception"),
        ],
    )
    llm = BedrockLLM(client=bedrock, model=MODEL, fallback_model="", limiter=None, max_attempts=1)
    with stubbed(bedrock) as stub:
        stub.add_response("converse_stream", response)
        stream = llm.stream("s", USER, max_tokens=100, purpose="t")
        assert next(stream) == "Half "
        with pytest.raises(errors.Unavailable, match="ModelStreamErrorException"):
            next(stream)
    row = LLMCall.objects.get()
    assert row.outcome == "error" and row.response["text"] == "Half "
