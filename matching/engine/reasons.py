"""Structured explanations of a score, and their Vietnamese/English fallback wording."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoredPair:
    demand_id: int | str
    offer_id: int | str
    score: float  # in [0, 1]
    components: dict[str, float]
    reasons: list[Reason]
    degraded: bool = False  # ranked without the embedding model (lexical + structured)


_TEMPLATES: dict[str, dict[str, str]] = {
    "same_field": {"vi": "cùng lĩnh vực {code}", "en": "same field {code}"},
    "same_area": {"vi": "cùng nhóm lĩnh vực {code}", "en": "same field group {code}"},
    "trl_fit": {"vi": "TRL {trl} >= {min}", "en": "TRL {trl} >= {min}"},
    "trl_low": {"vi": "TRL {trl} < {min}", "en": "TRL {trl} < {min}"},
    "cooperation": {"vi": "hình thức hợp tác: {types}", "en": "cooperation: {types}"},
    "country": {"vi": "quốc gia ưu tiên: {country}", "en": "preferred country: {country}"},
    "budget_fit": {
        "vi": "giá {price} trong ngân sách {budget} VNĐ",
        "en": "price {price} within budget {budget} VND",
    },
    "budget_over": {
        "vi": "giá {price} vượt ngân sách {budget} VNĐ",
        "en": "price {price} over budget {budget} VND",
    },
    "text_similarity": {
        "vi": "nội dung tương đồng: top {percentile_top}%",
        "en": "similar content: top {percentile_top}%",
    },
    "keywords": {"vi": "từ khóa chung: {terms}", "en": "shared terms: {terms}"},
    "expired": {"vi": "đã hết hạn ({valid_until})", "en": "expired ({valid_until})"},
}


def _render(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_render(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}".replace(",", ".")  # 1.500.000.000, the Vietnamese grouping
    return str(value)


def format_reason(reason: Reason, lang: str = "vi") -> str:
    """Human wording of a reason; unknown codes fall back to "code: params"."""
    templates = _TEMPLATES.get(reason.code)
    params = {key: _render(value) for key, value in reason.params.items()}
    if templates is None:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
        return f"{reason.code}: {detail}" if detail else reason.code
    template = templates.get(lang, templates["en"])
    try:
        return template.format(**params)
    except KeyError:  # params missing: still say something useful
        return template.split("{", 1)[0].strip(" :(")
