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
from functools import lru_cache
from pathlib import Path

from django.conf import settings
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
