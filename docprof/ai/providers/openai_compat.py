"""OpenAI-compatible servers (vLLM, Ollama, llama.cpp server, LM Studio, OpenAI) over httpx.

Chat: `POST {base}/chat/completions` (with `stream: true` for `LLM.stream`: server-sent events of
deltas, usage in the last one); structured output with `response_format: json_schema` when
`DOCPROF_OPENAI_JSON_SCHEMA` is on, else the schema goes into the system prompt and the JSON is
parsed from the text. Embeddings: `POST {base}/embeddings`.
"""

from __future__ import annotations

import json

import httpx
import numpy as np
from django.conf import settings

from docprof.ai import errors
from docprof.ai.embeddings import Embedder
from docprof.ai.llm import LLM, ProviderResponse, StreamEnd, Usage, schema_spec
from docprof.ai.ratelimit import get_limiter
from docprof.ai.retry import call_with_retries

STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "content_filtered",
}
CONTEXT_HINTS = ("context length", "maximum context", "too long", "context window", "too many tokens")


def make_client(base_url: str, api_key: str, timeout: float) -> httpx.Client:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.Client(base_url=base_url.rstrip("/") + "/", headers=headers, timeout=timeout)


def map_http_error(status: int, body: str, what: str) -> errors.AIError:
    text = f"{what}: HTTP {status}: {body[:500]}"
    if status == 429:
        return errors.Throttled(text)
    if status in (408, 504):
        return errors.Timeout(text)
    if status >= 500:
        return errors.Unavailable(text)
    if status in (401, 403):
        return errors.AccessDenied(f"{text}. Check DOCPROF_OPENAI_API_KEY.")
    if status == 404:
        return errors.InvalidRequest(f"{text}. Check DOCPROF_OPENAI_BASE_URL (with /v1) and the model name.")
    if any(h in body.lower() for h in CONTEXT_HINTS):
        return errors.ContextTooLong(f"{text}. Send fewer passages or a shorter prompt.")
    return errors.InvalidRequest(text)


def post_json(client: httpx.Client, path: str, payload: dict, what: str) -> dict:
    try:
        resp = client.post(path, json=payload)
    except httpx.TimeoutException as exc:
        raise errors.Timeout(f"{what}: timed out ({exc!r}); DOCPROF_OPENAI_TIMEOUT sets the limit.") from exc
    except httpx.TransportError as exc:
        raise errors.Unavailable(f"{what}: cannot reach {client.base_url}: {exc!r}") from exc
    if resp.status_code >= 400:
        raise map_http_error(resp.status_code, resp.text, what)
    try:
        return resp.json()
    except ValueError as exc:
        raise errors.Unavailable(f"{what}: the server answered with non-JSON: {resp.text[:200]}") from exc


class OpenAICompatLLM(LLM):
    provider = "openai"

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        model: str | None = None,
        fallback_model: str | None = None,
        json_schema: bool | None = None,
        limiter=None,
        **kwargs,
    ):
        super().__init__(limiter=limiter if limiter is not None else get_limiter("llm"), **kwargs)
        self.client = client or make_client(
            settings.DOCPROF_OPENAI_BASE_URL, settings.DOCPROF_OPENAI_API_KEY, settings.DOCPROF_OPENAI_TIMEOUT
        )
        self.model = model or settings.DOCPROF_OPENAI_MODEL
        fb = settings.DOCPROF_OPENAI_FALLBACK_MODEL if fallback_model is None else fallback_model
        self.fallback_model = fb
        self.json_schema = settings.DOCPROF_OPENAI_JSON_SCHEMA if json_schema is None else json_schema

    def chat_request(self, model, system, messages, *, max_tokens, temperature, schema) -> dict:
        payload = {"model": model, "max_tokens": max_tokens, "temperature": temperature}
        if schema is not None:
            spec = schema_spec(schema)
            if self.json_schema:
                payload["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": spec["name"], "schema": spec["schema"], "strict": False},
                }
            else:
                system = (
                    f"{system}\n\nRespond with a single JSON object and nothing else "
                    "(no prose, no code fences). "
                    f"It must validate against this JSON schema:\n{json.dumps(spec['schema'])}"
                )
        payload["messages"] = [{"role": "system", "content": system}, *messages]
        return payload

    def _call(self, model, system, messages, *, max_tokens, temperature, schema) -> ProviderResponse:
        payload = self.chat_request(
            model, system, messages, max_tokens=max_tokens, temperature=temperature, schema=schema
        )
        body = post_json(self.client, "chat/completions", payload, f"{model} at {self.client.base_url}")
        try:
            choice = body["choices"][0]
            text = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise errors.Unavailable(f"{model}: unexpected chat response: {str(body)[:300]}") from exc
        usage = body.get("usage") or {}
        reason = choice.get("finish_reason") or "stop"
        return ProviderResponse(
            text=text,
            usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)),
            model=body.get("model") or model,
            stop_reason=STOP_REASONS.get(reason, reason),
        )

    def _stream(self, model, system, messages, *, max_tokens, temperature):
        payload = self.chat_request(
            model, system, messages, max_tokens=max_tokens, temperature=temperature, schema=None
        )
        payload.update(stream=True, stream_options={"include_usage": True})
        what = f"{model} at {self.client.base_url}"
        try:
            with self.client.stream("POST", "chat/completions", json=payload) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    raise map_http_error(resp.status_code, resp.text, what)
                yield from stream_events(resp.iter_lines(), model, what)
        except httpx.TimeoutException as exc:
            raise errors.Timeout(
                f"{what}: timed out ({exc!r}); DOCPROF_OPENAI_TIMEOUT sets the limit."
            ) from exc
        except httpx.TransportError as exc:
            raise errors.Unavailable(f"{what}: the connection failed: {exc!r}") from exc


def stream_events(lines, model: str, what: str):
    """Server-sent events of a streamed chat completion -> text deltas, then one StreamEnd."""
    usage, reason, served = Usage(), None, model
    for line in lines:
        if not line.startswith("data:"):
            continue  # blank lines between events, comments (": keep-alive"), event names
        data = line[5:].strip()
        if data == "[DONE]":
            break
        try:
            event = json.loads(data)
        except ValueError as exc:
            raise errors.Unavailable(f"{what}: a streamed event is not JSON: {data[:200]}") from exc
        if not isinstance(event, dict):
            raise errors.Unavailable(f"{what}: unexpected streamed event: {data[:200]}")
        if event.get("error"):
            raise errors.Unavailable(f"{what}: the server stopped the answer: {str(event['error'])[:300]}")
        served = event.get("model") or served
        for choice in event.get("choices") or []:
            text = (choice.get("delta") or {}).get("content")
            if text:
                yield text
            reason = choice.get("finish_reason") or reason
        if event.get("usage"):
            usage = Usage(event["usage"].get("prompt_tokens", 0), event["usage"].get("completion_tokens", 0))
    if reason is None:
        raise errors.Unavailable(f"{what}: the stream ended before the answer did.")
    yield StreamEnd(usage, STOP_REASONS.get(reason, reason), served)


class OpenAICompatEmbedder(Embedder):
    slow = True  # a network call per batch: passages are embedded after the book is ready

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        model: str | None = None,
        dim: int | None = None,
        send_dimensions: bool | None = None,
        limiter=None,
    ):
        self.client = client or make_client(
            settings.DOCPROF_OPENAI_BASE_URL, settings.DOCPROF_OPENAI_API_KEY, settings.DOCPROF_OPENAI_TIMEOUT
        )
        self.model = model or settings.DOCPROF_OPENAI_EMBED_MODEL
        self.dim = dim or settings.EMBEDDING_DIM
        self.send_dimensions = (
            settings.DOCPROF_OPENAI_EMBED_DIMENSIONS if send_dimensions is None else send_dimensions
        )
        self.limiter = limiter if limiter is not None else get_limiter("embed")
        self.name = f"openai-{self.model}-{self.dim}"

    def _embed_once(self, texts: list[str]) -> list[list[float]]:
        if self.limiter is not None:
            self.limiter.acquire(self.model, sum(len(t) for t in texts) // 4 + 1)
        payload = {"model": self.model, "input": texts}
        if self.send_dimensions:
            payload["dimensions"] = self.dim
        body = post_json(self.client, "embeddings", payload, f"embeddings {self.model}")
        rows = sorted(body.get("data", []), key=lambda d: d.get("index", 0))
        if len(rows) != len(texts):
            raise errors.Unavailable(f"embeddings {self.model}: {len(rows)} vectors for {len(texts)} texts")
        matrix = np.asarray([r["embedding"] for r in rows], dtype=np.float32)
        if matrix.shape[1] != self.dim:
            raise errors.NotConfigured(
                f"{self.model} returns {matrix.shape[1]}-dimensional vectors but EMBEDDING_DIM is "
                f"{self.dim}: set EMBEDDING_DIM to match (then `manage.py reembed`), or "
                "DOCPROF_OPENAI_EMBED_DIMENSIONS=true "
                "if the server supports the dimensions parameter."
            )
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return (matrix / norms).tolist()

    def embed(self, texts):
        texts = [t or " " for t in texts]
        if not texts:
            return []
        return call_with_retries(f"embed {self.model}", self._embed_once, texts)
