"""Dashboard figures kept a few minutes per scope, so a dashboard costs its aggregates once
per scope and TTL, not once per visit.

A scope is whose figures they are: one province (its staff), one representation, or the
whole country (the coordinator). Its key is built from the reader's own role and organisation
only, so one scope's figures are never served to another reader. The cache fails open
(portal/cache.py): with Redis away every visit computes its figures. A reader's own change
(a status change it makes, recorded as an event row) forgets its scope, so the next visit shows
it; everyone else sees it within TTL, and each page says when its figures were computed.

Figures older than TTL are recomputed by the worker, not by the reader who finds them (a
national dashboard costs 0.5-2 s to compute): that reader, and everyone until the worker is
done, sees the kept figures with their time, and one refresh is queued per scope and language.
Only a scope read for the first time (or after a change of its reader) is computed in the request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Role
from accounts.permissions import role_of

TTL = 300  # seconds: "figures as of HH:MM" is at most five minutes old
KEEP = 3600  # seconds a stale entry is still shown while the worker recomputes it
VERSION = 1  # bump when the cached figures change shape

_recomputing: ContextVar[bool] = ContextVar("snapshots_recomputing", default=False)


def scope_of(user) -> str | None:
    """The key of the figures `user` reads, or None for a role whose figures are not kept."""
    role = role_of(user)
    if role in (Role.COORDINATOR, Role.ADMIN):
        return "national"
    if role == Role.STAFF and user.province_id:
        return f"province:{user.province_id}"
    if role == Role.REPRESENTATIVE and user.organization_id:
        return f"representation:{user.organization_id}"
    return None


def _key(scope: str, name: str, language: str) -> str:
    return f"insights:v{VERSION}:{scope}:{name}:{language}"


def cached(
    scope: str | None,
    name: str,
    compute: Callable[[], Any],
    refresh: Callable[[], None] | None = None,
) -> tuple[Any, Any]:
    """(`compute()`'s value, when it was computed), from the cache while it is fresh.
    Labels in the figures follow the language, so each language has its own entry.

    With `refresh` (which queues a recomputation by the worker), an entry older than TTL is
    still returned, and `refresh` is called once per TTL for it."""
    if scope is None:
        return compute(), timezone.now()
    key = _key(scope, name, get_language() or settings.LANGUAGE_CODE)
    hit = None if _recomputing.get() else cache.get(key)
    if hit is not None:
        if timezone.now() - hit["at"] < timedelta(seconds=TTL):
            return hit["value"], hit["at"]
        if refresh is not None:
            if cache.add(f"{key}:refreshing", True, TTL):
                refresh()
            return hit["value"], hit["at"]
    value, at = compute(), timezone.now()
    cache.set(key, {"value": value, "at": at}, KEEP if refresh else TTL)
    cache.delete(f"{key}:refreshing")
    return value, at


@contextmanager
def recomputing() -> Iterator[None]:
    """Within this block `cached` computes and stores, whatever is kept (the worker's refresh)."""
    token = _recomputing.set(True)
    try:
        yield
    finally:
        _recomputing.reset(token)


def forget(scope: str | None) -> None:
    """Drop the scope's kept figures in every language: its dashboard and the yearly sheets
    of this year and the last (the reader changed something and expects to see it)."""
    if scope is None:
        return
    year = timezone.localdate().year
    names = ["dashboard", f"yearly:{year}", f"yearly:{year - 1}"]
    cache.delete_many(
        [_key(scope, name, code) for name in names for code, _label in settings.LANGUAGES]
    )


def forget_actor_scope(sender, instance, created: bool = False, **kwargs) -> None:
    """post_save of a status-change event (DemandEvent, OfferEvent, MatchEvent): once the
    change is committed, the figures of the scope of whoever made it are recomputed on their
    next visit. Cache upkeep only; no rule of the portal lives here."""
    if created and instance.actor_id:
        scope = scope_of(instance.actor)
        transaction.on_commit(lambda: forget(scope))
