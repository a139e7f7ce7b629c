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
