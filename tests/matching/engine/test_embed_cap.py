"""The embedder reads a bounded prefix of any text: a huge description costs no more than a long one."""

import numpy as np
import pytest

from matching.engine import e5
from matching.engine.embedder import E5Embedder

SENTENCE = "Dây chuyền làm héo và vò chè xanh tự động, công suất 2 tấn búp tươi mỗi ngày. "


@pytest.fixture(scope="module")
def embedder():
    return E5Embedder()


def test_a_5_mb_text_embeds_as_its_first_characters(embedder, monkeypatch):
    huge = (SENTENCE * (5_000_000 // len(SENTENCE) + 1))[:5_000_000]
    tokenized = []
    ids = embedder.model.tokenizer.ids
    monkeypatch.setattr(
        embedder.model.tokenizer, "ids", lambda text: tokenized.append(len(text)) or ids(text)
    )

    (whole,) = embedder.embed_passages([huge])
    (prefix,) = embedder.embed_passages([huge[: e5.MAX_CHARS]])

    assert np.allclose(whole, prefix, atol=1e-6)
    assert max(tokenized) <= e5.MAX_CHARS + len("passage: ")  # never the 5 MB string
    assert len(ids("passage: " + huge[: e5.MAX_CHARS])) > e5.MAX_TOKENS  # the token cap bites too


def test_a_text_under_the_cap_is_read_whole(embedder):
    text = SENTENCE * 20
    (short,) = embedder.embed_queries([text])
    (cut,) = embedder.embed_queries([text[: len(text) // 2]])
    assert float(short @ cut) < 0.99999  # the second half counts
