"""Each reader's language and time zone: a person's own, or the portal's default.

A user's preference lives on `accounts.User` (`language`, `time_zone`); this module reads it
with `getattr` so that every app, `notifications` included, renders in the reader's language
without importing accounts.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

SUPPORTED = tuple(code for code, _name in settings.LANGUAGES)


def supported_language(code: str | None) -> str:
    """`code` if the portal speaks it ("en-US" -> "en"), else ""."""
    code = (code or "").strip().lower()
    if code in SUPPORTED:
        return code
    base = code.split("-")[0].split("_")[0]
    return base if base in SUPPORTED else ""


def language_from_accept(header: str | None) -> str:
    """The first language of a browser's Accept-Language the portal speaks, else the default."""
    for code, _quality in parse_accept_lang_header(header or ""):
        if code == "*":
            break
        language = supported_language(code)
        if language:
            return language
    return settings.LANGUAGE_CODE


def language_of(user) -> str:
    """The language `user` reads: their preference, else the portal's (Vietnamese).

    Accepts a user, anything with a `language` attribute, or None (an address without an
    account)."""
    return supported_language(getattr(user, "language", "")) or settings.LANGUAGE_CODE


def time_zone_of(user) -> zoneinfo.ZoneInfo:
    """The zone `user` reads times in: their preference, else the portal's."""
    name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@contextmanager
def in_language_of(user) -> Iterator[str]:
    """Render inside the block in `user`'s language and time zone (a mail, a notification)."""
    language = language_of(user)
    with translation.override(language), timezone.override(time_zone_of(user)):
        yield language


# --- time zones --------------------------------------------------------------------------------

# The zones of the portal's readers: Vietnam, then where the S&T representations sit.
USUAL_TIME_ZONES = (
    "Asia/Ho_Chi_Minh",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Bangkok",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/London",
    "Europe/Moscow",
    "America/New_York",
    "America/Los_Angeles",
    "Australia/Sydney",
)
_REGIONS = frozenset(
    [
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    ]
)


@lru_cache(maxsize=1)
def _canonical_zones() -> frozenset[str]:
    """The zones of tzdata's zone.tab (one name per place, no links such as "US/Eastern",
    "Japan" or "Asia/Saigon"); without that file, the regional names."""
    available = zoneinfo.available_timezones()
    sources = [Path(base) / "zone.tab" for base in zoneinfo.TZPATH]
    with suppress(ImportError):
        sources.append(Path(str(importlib.resources.files("tzdata") / "zoneinfo" / "zone.tab")))
    for source in sources:
        with suppress(OSError):
            names = {
                line.split("\t")[2].strip()
                for line in source.read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#") and line.count("\t") >= 2
            }
            return frozenset((names & available) | {"UTC"})
    return frozenset(
        {name for name in available if name.split("/")[0] in _REGIONS and name.count("/") <= 2}
        | {"UTC"}
    )


def time_zone_names() -> list[str]:
    """Every zone a person may choose: the usual ones first, then the others by name."""
    zones = _canonical_zones()
    usual = [name for name in USUAL_TIME_ZONES if name in zones]
    return usual + sorted(zones - set(usual))


def _zone_label(name: str, now: dt.datetime) -> str:
    offset = now.astimezone(zoneinfo.ZoneInfo(name)).strftime("%z")
    return f"{name.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})"


def time_zone_choices() -> list:
    """Grouped choices for a time-zone select (a callable: offsets are read when shown)."""
    now = timezone.now()
    zones = time_zone_names()
    usual = [(name, _zone_label(name, now)) for name in zones if name in USUAL_TIME_ZONES]
    others = [(name, _zone_label(name, now)) for name in zones if name not in USUAL_TIME_ZONES]
    return [(_("Usual time zones"), usual), (_("All time zones"), others)]


# --- records in the reader's language ----------------------------------------------------------


def language_name(code: str | None) -> str:
    """A language's name in the active language ("ja" -> "Tiếng Nhật" / "Japanese"); a text
    that is not a known code (an interpreter's language typed in) comes back as it was."""
    code = (code or "").strip()
    if not code:
        return ""
    key = _LANGUAGES_BY_NAME.get(code.lower(), code.lower())
    try:
        return str(translation.get_language_info(key)["name_translated"])
    except KeyError:
        return code


# Interpreter languages were typed in English before they were chosen from a list ("German").
_LANGUAGES_BY_NAME = {
    str(info["name"]).lower(): code for code, info in LANG_INFO.items() if "name" in info
}
# The languages an interpreter is usually booked for, as codes (names follow the reader).
INTERPRETER_LANGUAGES = ("en", "ja", "ko", "de", "fr", "zh-hans", "ru", "it", "nl", "es", "th")


def interpreter_language_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((code, language_name(code)) for code in INTERPRETER_LANGUAGES)]


@dataclass(frozen=True)
class Reading:
    """A record's text as one reader sees it: `language` is the text's, `marked` when it is not
    the reader's (the page then marks it with its language)."""

    text: str
    language: str
    marked: bool

    def __str__(self) -> str:
        return self.text


def reading(
    original: str, original_language: str, versions: dict[str, str], reader: str | None = None
) -> Reading:
    """The author's own version in the reader's language if they gave one, else the original.

    `versions` maps a language to the author's text in it (an offer's `title_vi`, a demand's
    `title_en`); `reader` defaults to the active language."""
    reader = supported_language(reader or translation.get_language()) or settings.LANGUAGE_CODE
    original_language = (original_language or "").lower() or settings.LANGUAGE_CODE
    if original_language.split("-")[0] != reader and (versions.get(reader) or "").strip():
        return Reading(versions[reader], reader, False)
    if not original and any(versions.values()):  # a draft with only a translation so far
        language, text = next((code, text) for code, text in versions.items() if text)
        return Reading(text, language, language != reader)
    return Reading(original, original_language, original_language.split("-")[0] != reader)
