import json
import math

import numpy as np
import pytest

from matching.engine.evaluate import evaluate, load_eval_dir, ranking_metrics

OFFERS = [
    ("O1", "en", "Tea dryer biomass gasifier"),
    ("O2", "en", "Tea dryer"),
    ("O3", "vi", "Wastewater treatment plant"),
    ("O4", "vi", "CNC machine monitoring"),
]
DEMANDS = [("D1", "en", "tea dryer biomass"), ("D2", "en", "wastewater treatment")]
QRELS = [("D1", "O1", 3), ("D1", "O2", 1), ("D1", "O3", 2), ("D2", "O3", 3), ("D2", "O4", 2)]


@pytest.fixture
def eval_dir(tmp_path):
    with (tmp_path / "offers.jsonl").open("w") as f:
        for oid, lang, title in OFFERS:
            row = {
                "id": oid,
                "title": title,
                "description": "",
                "language": lang,
                "country": "JP",
                "trl": 9,
                "cooperation": [],
                "fields": [],
            }
            f.write(json.dumps(row) + "\n")
    with (tmp_path / "demands.jsonl").open("w") as f:
        for did, lang, title in DEMANDS:
            row = {
                "id": did,
                "title": title,
                "description": "",
                "language": lang,
                "fields": [],
                "cooperation": [],
                "trl_min": None,
                "preferred_countries": [],
            }
            f.write(json.dumps(row) + "\n")
    (tmp_path / "qrels.tsv").write_text("".join(f"{d}\t{o}\t{g}\n" for d, o, g in QRELS))
    return tmp_path


def test_load_eval_dir(eval_dir):
    offers, demands, qrels = load_eval_dir(eval_dir)
    assert [o.id for o in offers] == ["O1", "O2", "O3", "O4"]
    assert demands[1].title == "wastewater treatment"
    assert qrels["D2"] == {"O3": 3, "O4": 2}


def test_lexical_evaluate_matches_hand_computed_metrics(eval_dir):
    # D1 ranks O1, O2 by BM25, then O3, O4 (score 0, by id); D2 ranks O3 then O1, O2, O4.
    ndcg_d1 = (7 + 1 / math.log2(3) + 3 / 2) / (7 + 3 / math.log2(3) + 1 / 2)
    ndcg_d2 = (7 + 3 / math.log2(5)) / (7 + 3 / math.log2(3))
    result = evaluate(eval_dir, engine="lexical")
    assert list(result) == [
        "engine",
        "demands",
        "offers",
        "ndcg@10",
        "recall@20",
        "mrr",
        "cross_lingual_recall@20",
        "recall@20_by_language_pair",
        "score_bands",
        "seconds",
    ]
    # grade >= 2: D1 -> O1 (en), O3 (vi); D2 -> O3, O4 (vi); four offers all fit in a top 20
    assert result["recall@20_by_language_pair"] == {
        "en->en": {"recall@20": 1.0, "relevant": 1},
        "en->vi": {"recall@20": 1.0, "relevant": 3},
    }
    assert result["ndcg@10"] == round((ndcg_d1 + ndcg_d2) / 2, 4)
    assert result["recall@20"] == 1.0 and result["mrr"] == 1.0
    assert result["cross_lingual_recall@20"] == 1.0
    assert (result["demands"], result["offers"]) == (2, 4)


def test_ranking_metrics_recall_mrr_and_cross_lingual():
    ranking = [f"X{i}" for i in range(25)] + ["A", "B"]
    ranking[1], ranking[21] = "A", "C"  # A at rank 2, C at rank 22, B at rank 27
    grades = {"A": 2, "B": 3, "C": 1}
    metrics = ranking_metrics(ranking, grades, cross_lingual={"B"})
    assert metrics["recall@20"] == 0.5
    assert metrics["mrr"] == 0.5
    assert metrics["cross_lingual_recall@20"] == 0.0
    assert metrics["ndcg@10"] == pytest.approx((3 / math.log2(3)) / (7 + 3 / math.log2(3) + 1 / 2))


class BagOfWordsEmbedder:
    """Deterministic stand-in model: hashed words, so the hybrid path runs offline."""

    model_version = "bow-test"
    dim = 64

    def _embed(self, texts):
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                matrix[row, sum(map(ord, word)) % self.dim] += 1
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)

    embed_queries = _embed
    embed_passages = _embed


def test_hybrid_evaluate_runs_the_engine(eval_dir):
    result = evaluate(eval_dir, engine="hybrid", embedder=BagOfWordsEmbedder())
    assert result["engine"] == "hybrid"
    assert result["mrr"] == 1.0
    # the score-band table counts every ranked pair once, with the share that is relevant
    assert sum(band["pairs"] for band in result["score_bands"]) == 2 * 4
    assert all(
        band["relevant"] is None or 0 <= band["relevant"] <= 1 for band in result["score_bands"]
    )


def test_unknown_engine_is_refused(eval_dir):
    with pytest.raises(ValueError):
        evaluate(eval_dir, engine="magic")
