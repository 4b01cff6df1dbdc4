"""Key phrases a person can read: whole words, no stop words, no bare numbers (no database)."""

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

from matching.engine.evaluate import load_eval_dir
from matching.engine.phrase_pairs import MAX_CHIPS, paired_phrases, shared_phrases
from matching.engine.phrases import candidates
from matching.engine.scoring import score_band

DEV = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "dev"

# Chips seen on the demo that nobody could read, and their kind.
NEVER = {
    "đa",
    "đều",
    "và",
    "các",
    "của",
    "the",
    "of",
    "and",
    "for",
    "with",  # stop words alone
    "bị xử",
    "thải sinh",
    "lý nước",
    "nghệ xử",
    "thống xử",
    "kiệm năng",  # across word edges
    "tái sử",
    "lượng nước",
    "chè xanh bằng",
    "bằng bơm",
}
_NUMBER = re.compile(r"^[\d.,%\s]+$")
_PERCENTILE = re.compile(r"top \d+ ?%|\d+ ?%|nhóm \d+", re.IGNORECASE)


def fake_embed(texts: list[str]) -> np.ndarray:
    """Deterministic unit vectors: exercises the pairing without the model."""
    rows = [
        np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8).astype(np.float32) - 127
        for t in texts
    ]
    matrix = np.stack(rows)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def assert_readable(chip: str) -> None:
    assert chip == chip.strip() and chip, chip
    assert chip.lower() not in NEVER, chip
    assert not _NUMBER.match(chip), chip
    assert not _PERCENTILE.search(chip), chip
    assert not any(c.isdigit() for c in chip), chip
    assert not re.search(r"[,.;:!?()\[\]]", chip), chip  # never spans punctuation


def test_vietnamese_phrases_are_whole_words():
    demand = (
        "Thiết bị xử lý nước thải sinh hoạt đa năng. Các hộ đều cần sấy chè xanh bằng "
        "bơm nhiệt, tiết kiệm năng lượng 110, 60, 1, 40, 5 kWh."
    )
    offer = (
        "Hệ thống xử lý nước thải sinh học; chất thải sinh hoạt; máy sấy chè xanh dùng bơm nhiệt."
    )
    chips = shared_phrases(demand, "vi", offer, "vi")
    assert ("xử lý nước thải", "xử lý nước thải") in chips
    assert ("bơm nhiệt", "bơm nhiệt") in chips
    assert any(left == "sấy chè xanh" for left, _ in chips)
    for left, right in chips:
        assert_readable(left)
        assert_readable(right)
    texts = [p.text for p in candidates(demand, "vi")]
    assert "thải sinh" not in texts and "bị xử" not in texts and "kwh" not in texts


def test_a_phrase_never_joins_two_sentences_or_a_number():
    texts = [p.text for p in candidates("Dryer for tea. Heat recovery, 40 percent savings", "en")]
    assert "tea heat" not in " | ".join(texts)
    assert not any("percent" in t and "40" in t for t in texts)


def test_english_phrases_end_at_their_head_and_drop_names():
    texts = [
        p.text
        for p in candidates(
            "Heat-pump dryer for green tea leaves, made by Kawasaki in Japan.", "en"
        )
    ]
    assert "heat-pump dryer" in texts and "green tea leaves" in texts
    assert "green" not in texts and "kawasaki" not in texts and "japan" not in texts


def test_cross_language_pairs_keep_the_wording_of_each_side():
    def embed(texts):
        # "sấy chè" and "tea drying" share a direction; everything else is spread out.
        vectors = fake_embed(texts)
        for i, text in enumerate(texts):
            if text in ("sấy chè", "tea drying"):
                vectors[i] = np.eye(32, dtype=np.float32)[0]
        return vectors

    pairs = paired_phrases(
        "Sấy chè bằng bơm nhiệt; máy vò chè liên tục.",
        "vi",
        "Tea drying with a heat pump; humidity control; rolling machine.",
        "en",
        embed,
    )
    assert ("sấy chè", "tea drying") in pairs


def test_similarity_is_a_band_not_a_percentile():
    assert {score_band(s) for s in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)} <= {
        "strong",
        "likely",
        "possible",
        "weak",
    }


@pytest.mark.skipif(not DEV.exists(), reason="shared/eval/dev is not beside the repository")
def test_no_forbidden_chip_on_any_pair_of_the_dev_set():
    offers, demands, _qrels = load_eval_dir(DEV)
    seen = 0
    for demand in demands:
        for offer in offers:
            pairs = paired_phrases(
                demand.full_text, demand.language, offer.full_text, offer.language, fake_embed
            )
            assert len(pairs) <= MAX_CHIPS
            for left, right in pairs:
                assert_readable(left)
                assert_readable(right)
                seen += 1
    assert seen > len(demands)  # the dev set does produce chips
