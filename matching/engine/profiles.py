"""Plain data the engine ranks: one demand or offer, already read from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DemandProfile:
    """A published enterprise technology demand."""

    id: int | str
    title: str
    text: str  # description
    language: str = "vi"  # "vi" | "en" | other ISO 639-1
    fields: tuple[str, ...] = ()  # S&T field codes, e.g. ("2.02",)
    cooperation: tuple[str, ...] = ()  # wanted cooperation types
    trl_min: int | None = None
    preferred_countries: tuple[str, ...] = ()  # ISO 3166 alpha-2
    province: str = ""

    @property
    def full_text(self) -> str:
        return f"{self.title}. {self.text}".strip(" .") if self.title else self.text


@dataclass(frozen=True)
class OfferProfile:
    """A published foreign technology offer."""

    id: int | str
    title: str
    text: str  # description
    language: str = "en"
    fields: tuple[str, ...] = ()
    cooperation: tuple[str, ...] = ()
    trl: int | None = None
    country: str = ""  # ISO 3166 alpha-2 of the provider
    valid_until: date | None = None
    provider_type: str = ""

    @property
    def full_text(self) -> str:
        return f"{self.title}. {self.text}".strip(" .") if self.title else self.text
