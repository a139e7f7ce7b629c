"""The OpenAI-compatible adapter against a real HTTP server on 127.0.0.1 started by the test."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from docprof.ai import errors
from docprof.ai.providers.openai_compat import OpenAICompatEmbedder, OpenAICompatLLM, make_client
from docprof.ai.tests.conftest import Outline


class FakeServer:
    """Answers queued (status, body) pairs in order and keeps the requests it received."""

    def __init__(self):
        self.replies: list[tuple[int, dict | str]] = []
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"])
                server.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                status, body = server.replies.pop(0)
                data = body if isinstance(body, str) else json.dumps(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data.encode())

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = FakeServer()
    yield s
    s.close()


def chat(content, finish="stop", usage=(20, 5)):
    return {
        "id": "c1",
        "model": "llama3.1:8b",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}
        ],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def make_llm(server, **kw):
    client = make_client(server.base_url, "sk-test", timeout=5)
    return OpenAICompatLLM(client=client, model="llama3.1:8b", fallback_model="", limiter=None, **kw)


USER = [{"role": "user", "content": "hi"}]


@pytest.mark.django_db
def test_chat_text(server):
    server.replies.append((200, chat("Hello there")))
    result = make_llm(server).complete("Be kind.", USER, max_tokens=50, purpose="test.text")
    assert result.text == "Hello there" and result.usage.input_tokens == 20
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sk-test"
    assert sent["json"]["messages"][0]["role"] == "system" and sent["json"]["max_tokens"] == 50


@pytest.mark.django_db
def test_json_schema_response_format(server):
    server.replies.append((200, chat('{"parts": [{"title": "A", "minutes": 5}]}')))
    result = make_llm(server, json_schema=True).complete(
        "Plan.", USER, max_tokens=200, schema=Outline, purpose="test.schema"
    )
    assert result.parsed.parts[0].title == "A"
    fmt = server.requests[0]["json"]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "Outline"


@pytest.mark.django_db
def test_json_instructions_when_schema_format_unsupported_and_repair(server):
    server.replies.append((200, chat("Sure! {parts: oops")))
    server.replies.append((200, chat('```json\n{"parts": []}\n```')))
    result = make_llm(server, json_schema=False).complete(
        "Plan.", USER, max_tokens=200, schema=Outline, purpose="test.instructions"
    )
    assert result.repaired and result.parsed == Outline(parts=[])
    first = server.requests[0]["json"]
    assert "response_format" not in first and "JSON schema" in first["messages"][0]["content"]
    assert "did not validate" in server.requests[1]["json"]["messages"][-1]["content"]
    assert result.usage.input_tokens == 40


@pytest.mark.django_db
def test_length_finish_is_truncation_error(server):
    server.replies.append((200, chat('{"parts": [', finish="length")))
    with pytest.raises(errors.OutputTruncated):
        make_llm(server).complete("Plan.", USER, max_tokens=5, schema=Outline, purpose="test.length")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "body", "exc"),
    [
        (429, {"error": "rate limited"}, errors.Throttled),
        (503, {"error": "loading model"}, errors.Unavailable),
        (504, {"error": "gateway timeout"}, errors.Timeout),
        (401, {"error": "bad key"}, errors.AccessDenied),
        (404, {"error": "model not found"}, errors.InvalidRequest),
        (400, {"error": "bad request"}, errors.InvalidRequest),
        (400, {"error": "This model's maximum context length is 8192 tokens"}, errors.ContextTooLong),
    ],
)
def test_http_errors_are_mapped(server, status, body, exc):
    server.replies.append((status, body))
    with pytest.raises(exc) as info:
        make_llm(server, max_attempts=1).complete("s", USER, max_tokens=5, purpose="test.errors")
    assert type(info.value) is exc


@pytest.mark.django_db
def test_retry_after_503(server):
    server.replies += [(503, {"error": "busy"}), (200, chat("ok"))]
    assert make_llm(server, max_attempts=2).complete("s", USER, max_tokens=5, purpose="t").text == "ok"


@pytest.mark.django_db
def test_unreachable_server_is_unavailable():
    client = make_client("http://127.0.0.1:9/v1", "", timeout=2)
    llm = OpenAICompatLLM(client=client, model="m", fallback_model="", limiter=None, max_attempts=1)
    with pytest.raises(errors.Unavailable, match="cannot reach"):
        llm.complete("s", USER, max_tokens=5, purpose="t")


def test_embeddings(server):
    server.replies.append(
        (
            200,
            {
                "data": [
                    {"index": 1, "embedding": [0.0, 2.0, 0.0, 0.0]},
                    {"index": 0, "embedding": [3, 4, 0, 0]},
                ]
            },
        )
    )
    client = make_client(server.base_url, "", timeout=5)
    embedder = OpenAICompatEmbedder(client=client, model="nomic", dim=4, send_dimensions=True, limiter=None)
    vectors = embedder.embed(["a", "b"])
    assert vectors == [[0.6000000238418579, 0.800000011920929, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]
    assert server.requests[0]["path"] == "/v1/embeddings"
    assert server.requests[0]["json"] == {"model": "nomic", "input": ["a", "b"], "dimensions": 4}


def test_embedding_dimension_mismatch_is_actionable(server):
    server.replies.append((200, {"data": [{"index": 0, "embedding": [1.0, 0.0]}]}))
    client = make_client(server.base_url, "", timeout=5)
    embedder = OpenAICompatEmbedder(client=client, model="nomic", dim=4, limiter=None)
    with pytest.raises(errors.NotConfigured, match="EMBEDDING_DIM"):
        embedder.embed(["a"])
