"""The LLM seam: one `complete()` call for every provider.

`LLM.complete` does the shared work around a provider's `_call`:

1. canonical request -> sha256; inside a job, an identical request already answered is replayed
   from the ledger (no provider call, no cost);
2. the shared rate limiter (requests + input/max tokens per model), then the provider call, retried
   on Throttled/Timeout/Unavailable with exponential backoff and jitter; an optional fallback model
   is tried when the primary stays unavailable;
3. `stop_reason == "max_tokens"` is an `OutputTruncated` error (never half a JSON document);
4. structured output is validated by the pydantic `schema`; on failure the model is asked once to
   repair it, given the validation error; a second failure is a `StructuredOutputError`;
5. every call (ok, error, replayed) is an `ai.LLMCall` row, keyed by the job id.

`LLM.stream` is the same call for plain text, written as it arrives: a generator of text deltas
whose return value is the `LLMResult` (`result = yield from llm.stream(...)`, or `collect()`).
Retries and the fallback model apply until the first delta; the ledger row is written once, at the
end (or when the reader stops early: an `error` row with what was received).

`docprof.ai.factory.get_llm()` returns the configured provider, or **None when `DOCPROF_LLM=none`**:
callers then use their offline engines (no network, deterministic).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

import pydantic
from django.conf import settings

from docprof.ai import ledger
from docprof.ai.errors import (
    RETRYABLE,
    AIError,
    OutputTruncated,
    StructuredOutputError,
    Unavailable,
)
from docprof.ai.pricing import estimate_cost
from docprof.ai.prompts import BOOK_TEXT_IS_DATA
from docprof.ai.retry import call_with_retries

log = logging.getLogger(__name__)
R = TypeVar("R")


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens)


@dataclass
class ProviderResponse:
    """What a provider's `_call` returns. `data` is the tool-use input for structured calls."""

    text: str
    usage: Usage
    model: str
    stop_reason: str  # normalised: end_turn | max_tokens | tool_use | stop_sequence | content_filtered
    latency_ms: int = 0
    data: dict | None = None


@dataclass(frozen=True)
class StreamEnd:
    """The last item of a provider's `_stream`: what the whole answer cost and why it stopped."""

    usage: Usage
    stop_reason: str
    model: str = ""
    latency_ms: int = 0


@dataclass(frozen=True)
class LLMResult:
    text: str
    parsed: pydantic.BaseModel | None
    usage: Usage
    model: str
    stop_reason: str
    latency_ms: int
    provider: str
    cost_usd: Decimal = Decimal(0)
    replayed: bool = False  # answered from the ledger: nothing was paid for this call
    repaired: bool = False
    call_id: int | None = None

    @property
    def value(self):
        """The validated object for structured calls, else the text."""
        return self.parsed if self.parsed is not None else self.text


@dataclass
class _Attempt:
    response: ProviderResponse | None = None
    usage: Usage = field(default_factory=Usage)
    latency_ms: int = 0


def extract_json(text: str):
    """Parse a JSON object from model text (tolerates code fences and prose around it)."""
    cleaned = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text.strip())
    try:
        return json.loads(cleaned)
    except json.JSONDecodeError:
        start, end = cleaned.find("{"), cleaned.rfind("}")
        if start != -1 and end > start:
            return json.loads(cleaned[start : end + 1])
        raise


def schema_spec(schema: type[pydantic.BaseModel]) -> dict:
    name = re.sub(r"[^A-Za-z0-9_-]", "_", schema.__name__)[:64] or "output"
    doc = (schema.__doc__ or "").strip()
    return {
        "name": name,
        "description": doc or f"Return the {name} object.",
        "schema": schema.model_json_schema(),
    }


class LLM:
    """Interface. Providers set `provider`, `model`, optional `fallback_model`, and implement `_call`."""

    provider = "abstract"
    model = ""
    fallback_model = ""

    def __init__(self, *, limiter=None, ledger_enabled: bool = True, max_attempts: int | None = None):
        self.limiter = limiter
        self.ledger_enabled = ledger_enabled
        self.max_attempts = max_attempts or settings.DOCPROF_LLM_MAX_ATTEMPTS

    # -- provider hook -----------------------------------------------------------------------
    def _call(
        self,
        model: str,
        system: str,
        messages: list[dict],
        *,
        max_tokens: int,
        temperature: float,
        schema: type[pydantic.BaseModel] | None,
    ) -> ProviderResponse:
        raise NotImplementedError

    # -- the one public call -----------------------------------------------------------------
    def complete(
        self,
        system: str,
        messages: list[dict],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        schema: type[pydantic.BaseModel] | None = None,
        purpose: str,
        job=None,
        prompt_version: str = "",
        allow_truncated: bool = False,
    ) -> LLMResult:
        """Ask the model. `messages` are {"role": "user"|"assistant", "content": str}, starting with user.

        Returns text, or with `schema` a validated instance in `.parsed` (also `.value`). Raises an
        `AIError` subclass. `job` (GenerationJob or id) scopes ledger replay and the job's counters.
        """
        system, request, req_hash = self._request(
            system, messages, max_tokens, temperature, schema, prompt_version
        )
        if self.ledger_enabled and job is not None:
            replay = self._replay(job, req_hash, request, schema, purpose)
            if replay is not None:
                return replay

        attempt = _Attempt()
        model_used = self.model
        try:
            model_used, response = self._call_with_fallback(
                system,
                messages,
                max_tokens=max_tokens,
                temperature=temperature,
                schema=schema,
                attempt=attempt,
            )
            self._check_stop(response, max_tokens, purpose, schema is not None or not allow_truncated)
            parsed, repaired = None, False
            if schema is not None:
                parsed, repaired, response = self._validated(
                    model_used, system, messages, response, max_tokens, temperature, schema, purpose, attempt
                )
        except AIError as exc:
            self._record_error(job, purpose, model_used, req_hash, request, attempt, exc)
            raise
        return self._finished(
            job, purpose, model_used, req_hash, request, attempt, response, parsed, repaired
        )

    def stream(
        self,
        system: str,
        messages: list[dict],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        purpose: str,
        job=None,
        prompt_version: str = "",
        allow_truncated: bool = False,
    ) -> Generator[str, None, LLMResult]:
        """`complete()` for plain text, yielding the text as the model writes it; returns the result.

        Transient errors before the first delta are retried (then the fallback model); an error after
        it ends the stream (the reader has shown part of an answer). One ledger row, at the end.
        """
        system, request, req_hash = self._request(
            system, messages, max_tokens, temperature, None, prompt_version
        )
        if self.ledger_enabled and job is not None:
            replay = self._replay(job, req_hash, request, None, purpose)
            if replay is not None:
                if replay.text:
                    yield replay.text
                return replay
        attempt = _Attempt()
        model_used, parts, source, reserved = self.model, [], None, 0
        started = time.perf_counter()
        try:
            model_used, source, first, reserved = self._open_stream(
                system, messages, max_tokens=max_tokens, temperature=temperature, attempt=attempt
            )
            end = None
            for item in _chain(first, source):
                if isinstance(item, StreamEnd):
                    end = item
                elif item:
                    parts.append(item)
                    yield item
            if end is None:
                raise Unavailable(f"{purpose}: the model's stream ended before the answer did.")
            text = "".join(parts)
            usage = end.usage
            if not usage.output_tokens and text:  # a server that does not report usage when streaming
                usage = Usage(usage.input_tokens or _estimate_tokens(system, messages), len(text) // 4 + 1)
            response = ProviderResponse(text, usage, end.model or model_used, end.stop_reason)
            attempt.usage = attempt.usage + usage
            attempt.latency_ms += end.latency_ms or int((time.perf_counter() - started) * 1000)
            attempt.response = response
            self._check_stop(response, max_tokens, purpose, not allow_truncated)
        except AIError as exc:
            if attempt.response is None:  # what the reader was shown before the error
                attempt.response = ProviderResponse("".join(parts), attempt.usage, model_used, "")
            self._record_error(job, purpose, model_used, req_hash, request, attempt, exc)
            raise
        except GeneratorExit:
            attempt.response = ProviderResponse("".join(parts), attempt.usage, model_used, "")
            closed = Unavailable("the reader stopped the stream before the end")
            self._record_error(job, purpose, model_used, req_hash, request, attempt, closed)
            raise
        finally:
            if source is not None and hasattr(source, "close"):
                source.close()
            if self.limiter is not None and reserved:
                self.limiter.refund(
                    model_used, reserved - attempt.usage.input_tokens - attempt.usage.output_tokens
                )
        return self._finished(job, purpose, model_used, req_hash, request, attempt, response)

    # -- provider hook for streaming ----------------------------------------------------------
    def _stream(
        self, model: str, system: str, messages: list[dict], *, max_tokens: int, temperature: float
    ) -> Iterator[str | StreamEnd]:
        """Text deltas, then one `StreamEnd`. By default the whole answer at once (no streaming API)."""
        response = self._call(
            model, system, messages, max_tokens=max_tokens, temperature=temperature, schema=None
        )
        yield response.text
        yield StreamEnd(response.usage, response.stop_reason, response.model, response.latency_ms)

    # -- internals ---------------------------------------------------------------------------
    def _request(self, system, messages, max_tokens, temperature, schema, prompt_version):
        """(system with the book-text rule, the canonical request, its hash)."""
        if max_tokens <= 0:
            raise ValueError("max_tokens must be set (positive)")
        if BOOK_TEXT_IS_DATA not in system:
            system = f"{system.rstrip()}\n\n{BOOK_TEXT_IS_DATA}"
        request = {
            "provider": self.provider,
            "model": self.model,
            "system": system,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "schema": schema_spec(schema) if schema else None,
            "prompt_version": prompt_version,
        }
        return system, request, ledger.request_hash(request)

    def _open_stream(self, system, messages, *, max_tokens, temperature, attempt):
        """(model, the provider's stream, its first item, tokens reserved), retried and with the
        fallback model until the first item arrives."""
        models = [self.model] + ([self.fallback_model] if self.fallback_model else [])
        for index, model in enumerate(models):
            try:
                source, first, reserved = call_with_retries(
                    f"LLM {model} (stream)",
                    self._start_stream,
                    model,
                    system,
                    messages,
                    max_tokens,
                    temperature,
                    max_attempts=self.max_attempts,
                )
                return model, source, first, reserved
            except RETRYABLE as exc:
                if index == len(models) - 1:
                    raise
                log.warning("LLM %s unavailable (%s); falling back to %s", model, exc, models[index + 1])
        raise AssertionError("unreachable")

    def _start_stream(self, model, system, messages, max_tokens, temperature):
        reserved = 0
        if self.limiter is not None:
            reserved = _estimate_tokens(system, messages) + max_tokens
            self.limiter.acquire(model, reserved)
        source = self._stream(model, system, messages, max_tokens=max_tokens, temperature=temperature)
        try:
            first = next(source)
        except StopIteration:
            raise Unavailable(f"LLM {model}: the stream was empty.") from None
        except BaseException:
            if self.limiter is not None:
                self.limiter.refund(model, reserved)
            raise
        return source, first, reserved

    def _finished(
        self, job, purpose, model, req_hash, request, attempt, response, parsed=None, repaired=False
    ) -> LLMResult:
        """The result of a call that succeeded, recorded in the ledger (one row)."""
        call_id = None
        if self.ledger_enabled:
            stored = {
                "text": response.text,
                "data": parsed.model_dump(mode="json") if parsed is not None else None,
                "stop_reason": response.stop_reason,
            }
            row = self._record(job, purpose, model, req_hash, request, attempt, stored, repaired=repaired)
            call_id = row.pk
        return LLMResult(
            text=response.text,
            parsed=parsed,
            usage=attempt.usage,
            model=model,
            stop_reason=response.stop_reason,
            latency_ms=attempt.latency_ms,
            provider=self.provider,
            cost_usd=estimate_cost(attempt.usage.input_tokens, attempt.usage.output_tokens, model),
            repaired=repaired,
            call_id=call_id,
        )

    def _replay(self, job, req_hash, request, schema, purpose) -> LLMResult | None:
        row = ledger.find_replay(job, req_hash)
        if row is None:
            return None
        data = row.response.get("data")
        parsed = None
        if schema is not None:
            try:
                parsed = schema.model_validate(data)
            except pydantic.ValidationError:
                return None  # the schema changed shape: ask again
        new = ledger.record(
            job=job,
            purpose=purpose,
            provider=self.provider,
            model=row.model,
            req_hash=req_hash,
            request={"replay_of": row.pk},
            response={"replay_of": row.pk},
            outcome="replayed",
            repaired=row.repaired,
        )
        return LLMResult(
            text=row.response.get("text", ""),
            parsed=parsed,
            usage=Usage(row.input_tokens, row.output_tokens),
            model=row.model,
            stop_reason=row.response.get("stop_reason", "end_turn"),
            latency_ms=0,
            provider=self.provider,
            replayed=True,
            repaired=row.repaired,
            call_id=new.pk,
        )

    def _call_with_fallback(self, system, messages, *, max_tokens, temperature, schema, attempt):
        models = [self.model] + ([self.fallback_model] if self.fallback_model else [])
        for index, model in enumerate(models):
            try:
                return model, self._call_retrying(
                    model,
                    system,
                    messages,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    schema=schema,
                    attempt=attempt,
                )
            except RETRYABLE as exc:
                if index == len(models) - 1:
                    raise
                log.warning("LLM %s unavailable (%s); falling back to %s", model, exc, models[index + 1])
        raise AssertionError("unreachable")

    def _call_retrying(self, model, system, messages, *, max_tokens, temperature, schema, attempt):
        return call_with_retries(
            f"LLM {model}",
            self._one_call,
            model,
            system,
            messages,
            max_tokens,
            temperature,
            schema,
            attempt,
            max_attempts=self.max_attempts,
        )

    def _one_call(
        self, model, system, messages, max_tokens, temperature, schema, attempt
    ) -> ProviderResponse:
        reserved = 0
        if self.limiter is not None:
            chars = len(system) + sum(len(str(m.get("content", ""))) for m in messages)
            reserved = chars // 4 + max_tokens
            self.limiter.acquire(model, reserved)
        started = time.perf_counter()
        response = self._call(
            model, system, messages, max_tokens=max_tokens, temperature=temperature, schema=schema
        )
        response.latency_ms = response.latency_ms or int((time.perf_counter() - started) * 1000)
        attempt.usage = attempt.usage + response.usage
        attempt.latency_ms += response.latency_ms
        attempt.response = response
        if self.limiter is not None:
            self.limiter.refund(model, reserved - response.usage.input_tokens - response.usage.output_tokens)
        return response

    @staticmethod
    def _check_stop(response: ProviderResponse, max_tokens: int, purpose: str, strict: bool):
        if response.stop_reason == "max_tokens" and strict:
            raise OutputTruncated(
                f"{purpose}: the model stopped at max_tokens={max_tokens} before finishing; "
                "raise max_tokens or ask for a shorter output."
            )
        if response.stop_reason == "content_filtered":
            from docprof.ai.errors import ContentFiltered

            raise ContentFiltered(f"{purpose}: the provider's content filter stopped the answer.")

    def _parse(self, response: ProviderResponse, schema):
        data = response.data if response.data is not None else extract_json(response.text)
        return schema.model_validate(data)

    def _validated(
        self, model, system, messages, response, max_tokens, temperature, schema, purpose, attempt
    ):
        try:
            return self._parse(response, schema), False, response
        except (ValueError, pydantic.ValidationError) as exc:  # JSONDecodeError is a ValueError
            first_error = str(exc)
        log.info("%s: structured output invalid, asking for a repair: %s", purpose, first_error[:300])
        previous = json.dumps(response.data) if response.data is not None else response.text
        repair_messages = [
            *messages,
            {"role": "assistant", "content": previous or "(empty)"},
            {
                "role": "user",
                "content": "Your previous output did not validate against the required JSON schema:\n"
                f"{first_error[:4000]}\nReturn the corrected, complete JSON object only.",
            },
        ]
        repaired = self._call_retrying(
            model,
            system,
            repair_messages,
            max_tokens=max_tokens,
            temperature=0.0,
            schema=schema,
            attempt=attempt,
        )
        self._check_stop(repaired, max_tokens, purpose, True)
        try:
            return self._parse(repaired, schema), True, repaired
        except (ValueError, pydantic.ValidationError) as exc:
            raise StructuredOutputError(
                f"{purpose}: the model's output did not match {schema.__name__} after one repair: {exc}"
            ) from exc

    def _record_error(self, job, purpose, model, req_hash, request, attempt, exc):
        if not self.ledger_enabled:
            return
        response = attempt.response
        stored = None if response is None else {"text": response.text, "data": response.data}
        error = f"{type(exc).__name__}: {exc}"
        self._record(job, purpose, model, req_hash, request, attempt, stored, outcome="error", error=error)

    def _record(self, job, purpose, model, req_hash, request, attempt, response, **outcome):
        """One ledger row for a call: what it was asked, what it answered, what it cost."""
        return ledger.record(
            job=job,
            purpose=purpose,
            provider=self.provider,
            model=model,
            req_hash=req_hash,
            request=request,
            response=response,
            input_tokens=attempt.usage.input_tokens,
            output_tokens=attempt.usage.output_tokens,
            latency_ms=attempt.latency_ms,
            cost_usd=estimate_cost(attempt.usage.input_tokens, attempt.usage.output_tokens, model),
            **outcome,
        )


def _estimate_tokens(system: str, messages: list[dict]) -> int:
    return (len(system) + sum(len(str(m.get("content", ""))) for m in messages)) // 4


def _chain(first, rest: Iterator):
    yield first
    yield from rest


def collect(
    stream: Generator[str, None, R], each: Callable[[str], object] | None = None
) -> tuple[list[str], R]:
    """Run a stream to its end: (the deltas, the result); `each` is called with every delta as it
    arrives (to show an answer while it is written)."""
    deltas: list[str] = []
    while True:
        try:
            delta = next(stream)
        except StopIteration as stop:
            return deltas, stop.value
        deltas.append(delta)
        if each is not None:
            each(delta)
