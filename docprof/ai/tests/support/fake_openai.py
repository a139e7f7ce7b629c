"""A fake OpenAI-compatible model server on 127.0.0.1 with scripted answers and injected faults.

    server = FakeOpenAI(answer, faults=Faults(throttle=0.30, error=0.10, malformed=0.05), latency=0.3)
    server.start()                      # a port in 8120-8129 (or `port=`; 0: any free port)
    ... DOCPROF_LLM=openai DOCPROF_OPENAI_BASE_URL=server.base_url in the worker's environment ...
    server.stop()

It serves `POST /v1/chat/completions` as `docprof.ai.providers.openai_compat` speaks it:
`answer(schema_name, system, messages)` returns the JSON object (or text) for a request, where
`schema_name` is `response_format.json_schema.name` (None for a plain text request). A request with
`stream: true` is answered with server-sent events, one per word of the answer (`stream_gate`, a
`threading.Event`, holds everything after the first word until it is set), usage in the last; its
`malformed` fault cuts the stream off before its end.

Faults are decided per request from `(seed, prompt, n-th time this prompt arrived)`, so a run is
the same whatever order threads send their requests in: `throttle` answers 429, `error` answers a
5xx (half of them) or sleeps past the client's timeout (the other half), `malformed` answers 200
with something that is not the schema's JSON (half cut-off JSON, half JSON of the wrong shape).

Every answer with status 200 is what a provider bills: its `usage.completion_tokens` is exactly
`BILLED_TOKENS`, so the ledger's `output_tokens` of a call count the answers it consumed (a call
repaired once consumed two). `paid()` lists the billed answers by prompt key (a repair request is
keyed by the prompt it repairs), to compare with the ledger (`prompt_key_of_ledger_request`).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PORTS = range(8120, 8130)
BILLED_TOKENS = 100
REPAIR_OPENING = "Your previous output did not validate"


@dataclass(frozen=True)
class Faults:
    throttle: float = 0.0  # 429
    error: float = 0.0  # 5xx or a timeout, half each
    malformed: float = 0.0  # 200 with output that does not validate
    seed: int = 0

    def decide(self, key: str, nth: int) -> str:
        draw = random.Random(f"{self.seed}:{key}:{nth}").random()  # noqa: S311 (test faults)
        if draw < self.throttle:
            return "throttled"
        if draw < self.throttle + self.error:
            return "server_error" if draw < self.throttle + self.error / 2 else "timeout"
        if draw < self.throttle + self.error + self.malformed:
            return "malformed"
        return "ok"


NO_FAULTS = Faults()


@dataclass
class Request:
    key: str  # the prompt this request answers (a repair: the prompt it repairs)
    schema: str | None
    outcome: str  # ok | malformed | throttled | server_error | timeout | bad_request
    started: float  # time.time()
    ended: float | None = None
    repair: bool = False

    @property
    def billed(self) -> bool:
        return self.outcome in ("ok", "malformed")


def is_repair(messages: list[dict]) -> bool:
    """A request asking the model to repair its previous (invalid) answer."""
    return (
        len(messages) >= 3
        and messages[-1].get("role") == "user"
        and str(messages[-1].get("content", "")).startswith(REPAIR_OPENING)
        and messages[-2].get("role") == "assistant"
    )


def prompt_key(messages: list[dict]) -> str:
    """The key of a chat request's messages (system message included), a repair's tail removed."""
    if is_repair(messages):
        messages = messages[:-2]
    canonical = json.dumps(
        [{"role": m.get("role"), "content": m.get("content")} for m in messages],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def prompt_key_of_ledger_request(request: dict) -> str | None:
    """The same key for a ledger row's stored request (`LLMCall.request`); None if not a chat request."""
    if not isinstance(request, dict) or "messages" not in request or "system" not in request:
        return None
    return prompt_key([{"role": "system", "content": request["system"]}, *request["messages"]])


@dataclass
class FakeOpenAI:
    answer: object  # (schema_name, system, messages) -> dict | list | str
    faults: Faults = NO_FAULTS
    latency: float = 0.0  # seconds per answered request
    timeout_sleep: float = 5.0  # a "timeout" fault sleeps this long (set it above the client's timeout)
    port: int | None = None
    requests: list[Request] = field(default_factory=list)
    stream_gate: threading.Event | None = None  # streamed answers wait here after their first word

    def __post_init__(self):
        self._lock = threading.Lock()
        self._seen: Counter = Counter()
        self._server: ThreadingHTTPServer | None = None
        self.errors: list[str] = []  # exceptions raised by `answer` (a scripting bug, not a fault)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        handler = _handler(self)
        for port in [self.port] if self.port is not None else PORTS:  # 0: any free port
            try:
                self._server = _Server(("127.0.0.1", port), handler)
                break
            except OSError:
                continue
        if self._server is None:
            raise RuntimeError(f"no free port for the fake model server in {PORTS}")
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-openai").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def environment(self, timeout: float = 2.0) -> dict[str, str]:
        """What a worker's environment needs to use this server as its model."""
        return {
            "DOCPROF_LLM": "openai",
            "DOCPROF_OPENAI_BASE_URL": self.base_url,
            "DOCPROF_OPENAI_MODEL": "fake-model",
            "DOCPROF_OPENAI_TIMEOUT": str(timeout),
            "DOCPROF_OPENAI_JSON_SCHEMA": "true",
        }

    # -- what happened -------------------------------------------------------------------------
    def snapshot(self) -> list[Request]:
        with self._lock:
            return list(self.requests)

    def outcomes(self) -> Counter:
        return Counter(r.outcome for r in self.snapshot())

    def paid(self) -> Counter:
        """Billed answers per prompt key."""
        return Counter(r.key for r in self.snapshot() if r.billed)

    def in_flight(self, at: float, grace: float = 1.0) -> list[Request]:
        """Billed requests a process could have lost at time `at`: started before it and not yet
        answered, or answered less than `grace` seconds before (not yet written to the ledger)."""
        return [
            r
            for r in self.snapshot()
            if r.billed and r.started <= at and (r.ended is None or r.ended >= at - grace)
        ]

    # -- one request ---------------------------------------------------------------------------
    def handle(self, payload: dict) -> tuple[int, dict | str, float, Request]:
        """(status, body, seconds to wait first, the record) for one chat request."""
        messages = payload.get("messages") or []
        key, repair = prompt_key(messages), is_repair(messages)
        schema = ((payload.get("response_format") or {}).get("json_schema") or {}).get("name")
        with self._lock:
            nth = self._seen[(key, repair)]
            self._seen[(key, repair)] += 1
        outcome = self.faults.decide(f"{key}:{int(repair)}", nth)
        request = Request(key, schema, outcome, time.time(), repair=repair)
        with self._lock:
            self.requests.append(request)
        try:
            status, body, wait = self._reply(outcome, nth, schema, payload, messages)
        except Exception as exc:  # the script could not answer: a 400 the test will see
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self.errors.append(f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})")
            request.outcome = "bad_request"
            status, body, wait = 400, {"error": {"message": f"fake model: {exc}"}}, 0.0
        return status, body, wait, request

    def _reply(self, outcome: str, nth: int, schema, payload: dict, messages: list[dict]):
        if outcome == "throttled":
            return 429, {"error": {"message": "Rate limit reached", "type": "rate_limit"}}, 0.05
        if outcome == "server_error":
            return 503, {"error": {"message": "The server is overloaded"}}, 0.05
        if outcome == "timeout":
            return 504, {"error": {"message": "late"}}, self.timeout_sleep
        system = next((m["content"] for m in messages if m.get("role") == "system"), "")
        asked = messages[:-2] if is_repair(messages) else messages  # a repair answers the original ask
        conversation = [m for m in asked if m.get("role") != "system"]
        if outcome == "malformed":
            content = '{"title": "cut off' if nth % 2 else json.dumps({"unexpected": [1, 2]})
        else:
            value = self.answer(schema, system, conversation)
            content = value if isinstance(value, str) else json.dumps(value)
        body = {
            "id": f"fake-{time.time_ns()}",
            "object": "chat.completion",
            "model": payload.get("model", "fake-model"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": len(json.dumps(messages)) // 4, "completion_tokens": BILLED_TOKENS},
        }
        return 200, body, self.latency


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client killed mid-request (a SIGKILLed worker) is expected here: no traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def _handler(server: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                payload = {}
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            status, body, wait, request = server.handle(payload)
            if wait:
                time.sleep(wait)
            try:
                if payload.get("stream") and status == 200:
                    self._send_stream(body, cut=request.outcome == "malformed")
                else:
                    self._send(status, body)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout fault): nothing was delivered
            finally:
                request.ended = time.time()

        def _send(self, status: int, body) -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(data)

        def _send_stream(self, body: dict, cut: bool) -> None:
            """The answer as chat.completion.chunk events, word by word, usage in the last."""
            content = body["choices"][0]["message"]["content"]
            words = re.findall(r"\s*\S+", content) or [content]
            base = {"id": body["id"], "object": "chat.completion.chunk", "model": body["model"]}
            events = [
                {**base, "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]}
                for w in words
            ]
            if cut:
                events = events[: max(1, len(events) // 2)]
            else:
                events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                events.append({**base, "choices": [], "usage": body["usage"]})
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for i, event in enumerate(events):
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                if i == 0 and server.stream_gate is not None:
                    server.stream_gate.wait(10)
            if not cut:
                self.wfile.write(b"data: [DONE]\n\n")
            self.close_connection = True

        def log_message(self, *args):
            pass

    return Handler
