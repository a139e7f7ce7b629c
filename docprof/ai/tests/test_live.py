"""Against real Bedrock: run with `pytest -m live` when AWS credentials are present."""

import boto3
import pytest

from docprof.ai.tests.conftest import Outline

pytestmark = pytest.mark.live


@pytest.fixture
def aws(settings):
    if boto3.Session().get_credentials() is None:
        pytest.skip("no AWS credentials")
    return settings


@pytest.mark.django_db
def test_bedrock_converse_and_titan(aws):
    from docprof.ai.providers.bedrock import BedrockLLM, TitanEmbedder

    llm = BedrockLLM(limiter=None)
    result = llm.complete(
        "Answer with JSON only.",
        [{"role": "user", "content": "One course part titled Basics, 10 minutes."}],
        max_tokens=200,
        schema=Outline,
        purpose="test.live",
    )
    assert result.parsed.parts and result.usage.output_tokens > 0
    aws.EMBEDDING_DIM = 256
    assert len(TitanEmbedder(limiter=None).embed_one("hello")) == 256
