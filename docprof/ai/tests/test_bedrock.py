"""The Bedrock adapter against botocore's Stubber (no network)."""

import io
import json

import boto3
import pytest
from botocore.config import Config
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from docprof.ai import errors
from docprof.ai.models import LLMCall
from docprof.ai.providers.bedrock import BedrockLLM, TitanEmbedder
from docprof.ai.tests.conftest import Outline

MODEL = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
USER = [{"role": "user", "content": "Plan 1 hour of DCF."}]


@pytest.fixture
def client():
    config = Config(region_name="us-east-1", retries={"mode": "standard", "max_attempts": 1})
    return boto3.client(
        "bedrock-runtime", config=config, aws_access_key_id="test", aws_secret_access_key="test"
    )


def converse_response(content, stop="end_turn", tokens=(12, 7)):
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 42},
    }


def make_llm(client, **kw):
    return BedrockLLM(client=client, model=MODEL, fallback_model="", limiter=None, **kw)


@pytest.mark.django_db
def test_converse_text(client, settings):
    settings.DOCPROF_LLM_PRICES = {}
    llm = make_llm(client)
    expected = {
        "modelId": MODEL,
        "system": [{"text": ANY}],
        "messages": [{"role": "user", "content": [{"text": "Plan 1 hour of DCF."}]}],
        "inferenceConfig": {"maxTokens": 100, "temperature": 0.2},
    }
    with Stubber(client) as stub:
        stub.add_response("converse", converse_response([{"text": "Hello"}]), expected)
        result = llm.complete("Be brief.", USER, max_tokens=100, purpose="test.text")
        stub.assert_no_pending_responses()
    assert result.text == "Hello" and result.stop_reason == "end_turn"
    assert (result.usage.input_tokens, result.usage.output_tokens, result.latency_ms) == (12, 7, 42)
    # Price looked up through the inference-profile prefix: 12*0.8 + 7*4 per million.
    assert str(result.cost_usd) == "0.000038"
    assert LLMCall.objects.get(pk=result.call_id).provider == "bedrock"


@pytest.mark.django_db
def test_converse_tool_use_gives_validated_object(client):
    llm = make_llm(client)
    tool_input = {"parts": [{"title": "Cash flows", "minutes": 60}]}
    content = [{"toolUse": {"toolUseId": "t1", "name": "Outline", "input": tool_input}}]
    with Stubber(client) as stub:
        stub.add_response("converse", converse_response(content, stop="tool_use"))
        result = llm.complete("Plan.", USER, max_tokens=300, schema=Outline, purpose="test.tool")
    assert result.parsed == Outline.model_validate(tool_input)


def test_tool_config_forces_the_schema_tool(client):
    request = make_llm(client, ledger_enabled=False).converse_request(
        MODEL, "sys", USER, max_tokens=10, temperature=0, schema=Outline
    )
    tool = request["toolConfig"]["tools"][0]["toolSpec"]
    assert tool["name"] == "Outline" and tool["inputSchema"]["json"]["title"] == "Outline"
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": "Outline"}}


@pytest.mark.django_db
def test_invalid_tool_input_is_repaired(client):
    llm = make_llm(client)
    bad = [{"toolUse": {"toolUseId": "t1", "name": "Outline", "input": {"parts": [{"title": "x"}]}}}]
    good = [{"toolUse": {"toolUseId": "t2", "name": "Outline", "input": {"parts": []}}}]
    with Stubber(client) as stub:
        stub.add_response("converse", converse_response(bad, stop="tool_use"))
        stub.add_response("converse", converse_response(good, stop="tool_use"))
        result = llm.complete("Plan.", USER, max_tokens=300, schema=Outline, purpose="test.repair")
    assert result.repaired and result.parsed == Outline(parts=[])
    assert result.usage.input_tokens == 24


@pytest.mark.django_db
def test_max_tokens_stop_is_a_clear_error(client):
    llm = make_llm(client)
    content = [{"toolUse": {"toolUseId": "t1", "name": "Outline", "input": {"parts": []}}}]
    with Stubber(client) as stub:
        stub.add_response("converse", converse_response(content, stop="max_tokens"))
        with pytest.raises(errors.OutputTruncated, match="max_tokens=300"):
            llm.complete("Plan.", USER, max_tokens=300, schema=Outline, purpose="test.trunc")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "status", "message", "exc"),
    [
        ("ThrottlingException", 429, "Too many requests", errors.Throttled),
        ("ServiceQuotaExceededException", 429, "quota", errors.Throttled),
        ("ModelTimeoutException", 408, "timed out", errors.Timeout),
        ("ServiceUnavailableException", 503, "unavailable", errors.Unavailable),
        ("InternalServerException", 500, "oops", errors.Unavailable),
        ("ModelNotReadyException", 429, "not ready", errors.Unavailable),
        ("ModelErrorException", 424, "model error", errors.Unavailable),
        ("AccessDeniedException", 403, "no access", errors.AccessDenied),
        ("ResourceNotFoundException", 404, "no such model", errors.InvalidRequest),
        ("ValidationException", 400, "Malformed input request", errors.InvalidRequest),
        ("ValidationException", 400, "Input is too long for requested model.", errors.ContextTooLong),
    ],
)
def test_error_codes_are_mapped(client, code, status, message, exc):
    llm = make_llm(client, max_attempts=1)
    with Stubber(client) as stub:
        stub.add_client_error(
            "converse", service_error_code=code, service_message=message, http_status_code=status
        )
        with pytest.raises(exc) as info:
            llm.complete("s", USER, max_tokens=10, purpose="test.errors")
    assert type(info.value) is exc
    assert exc.retryable == (exc in (errors.Throttled, errors.Timeout, errors.Unavailable))
    assert LLMCall.objects.get(purpose="test.errors").error.startswith(exc.__name__)


@pytest.mark.django_db
def test_throttling_is_retried_then_falls_back(client):
    llm = BedrockLLM(
        client=client, model=MODEL, fallback_model="amazon.nova-pro-v1:0", limiter=None, max_attempts=2
    )
    with Stubber(client) as stub:
        stub.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
        stub.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
        stub.add_response(
            "converse",
            converse_response([{"text": "ok"}]),
            {"modelId": "amazon.nova-pro-v1:0", **_any_rest()},
        )
        result = llm.complete("s", USER, max_tokens=10, purpose="test.fallback")
    assert result.model == "amazon.nova-pro-v1:0" and result.text == "ok"


def _any_rest():
    return {"system": ANY, "messages": ANY, "inferenceConfig": ANY}


def titan_body(vector):
    data = json.dumps({"embedding": vector, "inputTextTokenCount": 3}).encode()
    return StreamingBody(io.BytesIO(data), len(data))


def test_titan_embeddings(client, settings):
    settings.EMBEDDING_DIM = 256
    embedder = TitanEmbedder(client=client, concurrency=1, limiter=None)
    with Stubber(client) as stub:
        for value in (3.0, 4.0):
            expected = {
                "modelId": "amazon.titan-embed-text-v2:0",
                "body": json.dumps({"inputText": f"text {value}", "dimensions": 256, "normalize": True}),
                "contentType": "application/json",
                "accept": "application/json",
            }
            stub.add_response(
                "invoke_model", {"body": titan_body([value] * 256), "contentType": "json"}, expected
            )
        vectors = embedder.embed(["text 3.0", "text 4.0"])
    assert len(vectors) == 2 and all(len(v) == 256 for v in vectors)
    assert abs(sum(x * x for x in vectors[0]) - 1.0) < 1e-5
    assert embedder.name == "bedrock-amazon.titan-embed-text-v2:0-256"


def test_titan_embeddings_concurrent(client, settings):
    settings.EMBEDDING_DIM = 512
    embedder = TitanEmbedder(client=client, concurrency=4, limiter=None)
    with Stubber(client) as stub:
        for _ in range(6):
            stub.add_response("invoke_model", {"body": titan_body([1.0] * 512), "contentType": "json"})
        vectors = embedder.embed([f"t{i}" for i in range(6)])
    assert len(vectors) == 6


def test_titan_rejects_unsupported_dimension(client, settings):
    settings.EMBEDDING_DIM = 384
    with pytest.raises(errors.NotConfigured, match="256, 512, 1024"):
        TitanEmbedder(client=client, limiter=None)


def test_titan_errors_are_mapped(client, settings):
    settings.EMBEDDING_DIM = 256
    embedder = TitanEmbedder(client=client, concurrency=1, limiter=None)
    with Stubber(client) as stub:
        stub.add_client_error(
            "invoke_model", service_error_code="AccessDeniedException", http_status_code=403
        )
        with pytest.raises(errors.AccessDenied, match="model access"):
            embedder.embed(["x"])
