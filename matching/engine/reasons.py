"""Structured explanations of a score: codes and numbers only.

The words a person reads live in one place, matching/reasons.py (gettext, the reader's
language); key phrases of the two texts come from phrases.py when a page shows the pair.
"""

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
