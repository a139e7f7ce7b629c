"""FakeLLM: a deterministic, scripted LLM behind the same interface, for tests and benchmarks.

    llm = FakeLLM([{"parts": [...]}, "plain text", Throttled("busy")])

Each call takes the next scripted item: a str (text), a dict/list or pydantic object (structured:
returned as tool-use data), an exception instance (raised), or a callable
`(system, messages, schema) -> any of those`. When the script runs out, `default` answers (a str
or callable; by default an error, so a test notices an unexpected call). `latency` seconds are
slept per call. `calls` records every request the "provider" saw. The ledger is on by default, as
for real providers (pass `ledger_enabled=False` for tests without a database); the rate limiter is
off unless a limiter is passed.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque

import pydantic

from docprof.ai.llm import LLM, ProviderResponse, StreamEnd, Usage


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeLLM(LLM):
    provider = "fake"

    def __init__(
        self,
        responses=None,
        *,
        default=None,
        latency: float = 0.0,
        model: str = "fake-model",
        fallback_model: str = "",
        stop_reason: str = "end_turn",
        limiter=None,
        ledger_enabled: bool = True,
        max_attempts: int | None = None,
    ):
        super().__init__(limiter=limiter, ledger_enabled=ledger_enabled, max_attempts=max_attempts or 3)
        self.model = model
        self.fallback_model = fallback_model
        self.script = deque(responses or [])
        self.default = default
        self.latency = latency
        self.stop_reason = stop_reason
        self.calls: list[dict] = []
        self._lock = threading.Lock()

    def _next(self, system, messages, schema):
        with self._lock:
            item = self.script.popleft() if self.script else self.default
        if item is None:
            raise AssertionError(f"FakeLLM: no scripted response left for call {len(self.calls)}")
        if callable(item) and not isinstance(item, type):
            item = item(system, messages, schema)
        return item

    def _call(self, model, system, messages, *, max_tokens, temperature, schema) -> ProviderResponse:
        with self._lock:
            self.calls.append(
                {
                    "model": model,
                    "system": system,
                    "messages": messages,
                    "max_tokens": max_tokens,
                    "schema": schema,
                }
            )
        if self.latency:
            time.sleep(self.latency)
        item = self._next(system, messages, schema)
        if isinstance(item, BaseException):
            raise item
        data = None
        if isinstance(item, pydantic.BaseModel):
            data = item.model_dump(mode="json")
        elif isinstance(item, dict | list):
            data = item
        text = json.dumps(data) if data is not None else str(item)
        prompt = system + "".join(str(m.get("content", "")) for m in messages)
        return ProviderResponse(
            text=text,
            data=data if isinstance(data, dict) else None,
            usage=Usage(_tokens(prompt), _tokens(text)),
            model=model,
            stop_reason=self.stop_reason
            if data is None
            else ("tool_use" if self.stop_reason == "end_turn" else self.stop_reason),
            latency_ms=int(self.latency * 1000),
        )

    def _stream(self, model, system, messages, *, max_tokens, temperature):
        response = self._call(
            model, system, messages, max_tokens=max_tokens, temperature=temperature, schema=None
        )
        yield from re.findall(r"\s*\S+", response.text) or [response.text]
        yield StreamEnd(response.usage, response.stop_reason, response.model, response.latency_ms)
