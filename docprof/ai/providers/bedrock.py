"""Amazon Bedrock: `converse` for text and tool-use structured output, `converse_stream` for text as it
is written; Titan Text Embeddings V2."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import boto3
import numpy as np
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from django.conf import settings

from docprof.ai import errors
from docprof.ai.embeddings import Embedder
from docprof.ai.llm import LLM, ProviderResponse, StreamEnd, Usage, schema_spec
from docprof.ai.ratelimit import get_limiter
from docprof.ai.retry import call_with_retries

TITAN_DIMENSIONS = (256, 512, 1024)
TITAN_MAX_CHARS = 50_000
STOP_REASONS = {
    "end_turn": "end_turn",
    "tool_use": "tool_use",
    "max_tokens": "max_tokens",
    "stop_sequence": "stop_sequence",
    "guardrail_intervened": "content_filtered",
    "content_filtered": "content_filtered",
}
CONTEXT_HINTS = ("too long", "too many input tokens", "context length", "context window", "input length")


@lru_cache(maxsize=4)
def bedrock_client(
    region: str, retry_mode: str, max_attempts: int, connect_timeout: float, read_timeout: float
):
    config = Config(
        region_name=region,
        retries={"mode": retry_mode, "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max(10, settings.DOCPROF_BEDROCK_EMBED_CONCURRENCY * 2),
    )
    return boto3.client("bedrock-runtime", config=config)


def default_client():
    return bedrock_client(
        settings.DOCPROF_BEDROCK_REGION,
        settings.DOCPROF_BEDROCK_RETRY_MODE,
        settings.DOCPROF_BEDROCK_MAX_ATTEMPTS,
        settings.DOCPROF_BEDROCK_CONNECT_TIMEOUT,
        settings.DOCPROF_BEDROCK_READ_TIMEOUT,
    )


def map_error(exc: Exception, model: str) -> errors.AIError:
    """botocore exceptions -> our errors, with a message a person can act on."""
    if isinstance(exc, ReadTimeoutError | ConnectTimeoutError):
        return errors.Timeout(
            f"Bedrock {model}: timed out ({exc}); DOCPROF_BEDROCK_READ_TIMEOUT sets the limit."
        )
    if isinstance(exc, EndpointConnectionError):
        return errors.Unavailable(f"Bedrock endpoint unreachable: {exc}")
    if isinstance(exc, NoCredentialsError):
        return errors.AccessDenied("No AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/SECRET.")
    if not isinstance(exc, ClientError):
        return errors.Unavailable(f"Bedrock {model}: {exc}")
    err = exc.response.get("Error", {})
    code, message = err.get("Code", ""), err.get("Message", str(exc))
    code = code[:1].upper() + code[1:]  # errors inside a stream are named "throttlingException"
    text = f"Bedrock {model}: {code}: {message}"
    if code in ("ThrottlingException", "ServiceQuotaExceededException", "TooManyRequestsException"):
        return errors.Throttled(text)
    if code == "ModelTimeoutException":
        return errors.Timeout(text)
    if code in (
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelErrorException",
        "ModelStreamErrorException",
    ):
        return errors.Unavailable(text)
    if code in ("AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"):
        return errors.AccessDenied(
            f"{text}. Check the AWS credentials and that model access is granted "
            f"in {settings.DOCPROF_BEDROCK_REGION}."
        )
    if code == "ResourceNotFoundException":
        return errors.InvalidRequest(f"{text}. Check the model id (DOCPROF_BEDROCK_MODEL) and region.")
    if code == "ValidationException" and any(h in message.lower() for h in CONTEXT_HINTS):
        return errors.ContextTooLong(f"{text}. Send fewer passages or a shorter prompt.")
    return errors.InvalidRequest(text)


def to_converse_messages(messages: list[dict]) -> list[dict]:
    return [{"role": m["role"], "content": [{"text": str(m["content"])}]} for m in messages]


class BedrockLLM(LLM):
    provider = "bedrock"

    def __init__(
        self,
        *,
        client=None,
        model: str | None = None,
        fallback_model: str | None = None,
        limiter=None,
        **kwargs,
    ):
        super().__init__(limiter=limiter if limiter is not None else get_limiter("llm"), **kwargs)
        self.client = client or default_client()
        self.model = model or settings.DOCPROF_BEDROCK_MODEL
        fb = settings.DOCPROF_BEDROCK_FALLBACK_MODEL if fallback_model is None else fallback_model
        self.fallback_model = fb
        self.tool_choice = settings.DOCPROF_BEDROCK_TOOL_CHOICE

    def converse_request(self, model, system, messages, *, max_tokens, temperature, schema) -> dict:
        request = {
            "modelId": model,
            "system": [{"text": system}],
            "messages": to_converse_messages(messages),
            "inferenceConfig": {"maxTokens": max_tokens, "temperature": temperature},
        }
        if schema is not None:
            spec = schema_spec(schema)
            choice = {"tool": {"tool": {"name": spec["name"]}}, "any": {"any": {}}}.get(self.tool_choice)
            request["toolConfig"] = {
                "tools": [
                    {
                        "toolSpec": {
                            "name": spec["name"],
                            "description": spec["description"][:1000],
                            "inputSchema": {"json": spec["schema"]},
                        }
                    }
                ],
                **({"toolChoice": choice} if choice else {}),
            }
        return request

    def _call(self, model, system, messages, *, max_tokens, temperature, schema) -> ProviderResponse:
        request = self.converse_request(
            model, system, messages, max_tokens=max_tokens, temperature=temperature, schema=schema
        )
        try:
            resp = self.client.converse(**request)
        except (ClientError, BotoCoreError) as exc:
            raise map_error(exc, model) from exc
        content = resp.get("output", {}).get("message", {}).get("content", [])
        text = "".join(block.get("text", "") for block in content)
        data = next((b["toolUse"].get("input") for b in content if "toolUse" in b), None)
        usage = resp.get("usage", {})
        return ProviderResponse(
            text=json.dumps(data) if data is not None and not text else text,
            data=data if isinstance(data, dict) else None,
            usage=Usage(usage.get("inputTokens", 0), usage.get("outputTokens", 0)),
            model=model,
            stop_reason=STOP_REASONS.get(resp.get("stopReason", ""), resp.get("stopReason", "")),
            latency_ms=resp.get("metrics", {}).get("latencyMs", 0),
        )

    def _stream(self, model, system, messages, *, max_tokens, temperature):
        request = self.converse_request(
            model, system, messages, max_tokens=max_tokens, temperature=temperature, schema=None
        )
        events = None
        try:
            events = self.client.converse_stream(**request)["stream"]
            usage, reason, latency = Usage(), None, 0
            for event in events:
                if "contentBlockDelta" in event:
                    text = event["contentBlockDelta"].get("delta", {}).get("text")
                    if text:
                        yield text
                elif "messageStop" in event:
                    reason = event["messageStop"].get("stopReason", "")
                elif "metadata" in event:
                    found = event["metadata"].get("usage", {})
                    usage = Usage(found.get("inputTokens", 0), found.get("outputTokens", 0))
                    latency = event["metadata"].get("metrics", {}).get("latencyMs", 0)
        except (ClientError, BotoCoreError) as exc:  # an error event in the stream is a ClientError
            raise map_error(exc, model) from exc
        finally:
            if events is not None:
                events.close()
        if reason is None:
            raise errors.Unavailable(f"Bedrock {model}: the stream ended before the answer did.")
        yield StreamEnd(usage, STOP_REASONS.get(reason, reason), model, latency)


class TitanEmbedder(Embedder):
    """Titan Text Embeddings V2: one text per `invoke_model`, several in flight at once."""

    slow = True  # a network call per batch: passages are embedded after the book is ready

    def __init__(
        self,
        *,
        client=None,
        model: str | None = None,
        dim: int | None = None,
        concurrency: int | None = None,
        limiter=None,
    ):
        self.dim = dim or settings.EMBEDDING_DIM
        if self.dim not in TITAN_DIMENSIONS:
            raise errors.NotConfigured(
                f"Titan Text Embeddings V2 supports dimensions {TITAN_DIMENSIONS}; "
                f"EMBEDDING_DIM is {self.dim}."
            )
        self.client = client or default_client()
        self.model = model or settings.DOCPROF_BEDROCK_EMBED_MODEL
        self.concurrency = concurrency or settings.DOCPROF_BEDROCK_EMBED_CONCURRENCY
        self.limiter = limiter if limiter is not None else get_limiter("embed")
        self.name = f"bedrock-{self.model}-{self.dim}"
        self.batch_size = self.concurrency * 8

    def _embed_text(self, text: str) -> list[float]:
        return call_with_retries(f"embed {self.model}", self._embed_once, text[:TITAN_MAX_CHARS] or " ")

    def _embed_once(self, text: str) -> list[float]:
        if self.limiter is not None:
            self.limiter.acquire(self.model, len(text) // 4 + 1)
        body = json.dumps({"inputText": text, "dimensions": self.dim, "normalize": True})
        try:
            resp = self.client.invoke_model(
                modelId=self.model, body=body, contentType="application/json", accept="application/json"
            )
        except (ClientError, BotoCoreError) as exc:
            raise map_error(exc, self.model) from exc
        vector = np.asarray(json.loads(resp["body"].read())["embedding"], dtype=np.float32)
        if vector.shape != (self.dim,):
            raise errors.InvalidRequest(
                f"{self.model} returned {vector.shape[0]} dimensions, expected {self.dim}"
            )
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm else vector).tolist()

    def embed(self, texts):
        texts = list(texts)
        if len(texts) <= 1 or self.concurrency <= 1:
            return [self._embed_text(t) for t in texts]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(texts))) as pool:
            return list(pool.map(self._embed_text, texts))
