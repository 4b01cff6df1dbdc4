"""The one idiom for status moves: a model declares its allowed moves once, as a `Workflow`,
and its app's `<model>_transition` service moves a locked row through `Workflow.move`.

Every model moved this way has an event model with `related_name="events"` and the fields
actor, from_status, to_status and note (DemandEvent, OfferEvent, MatchEvent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError


class TransitionError(ValidationError):
    """The record is not in a state this move starts from."""


class Workflow:
    """The allowed moves of one model's status: {from: {to, ...}}.

    `refusal` is the translatable message for a refused move, with %(status)s and %(to)s.
    """

    def __init__(self, moves: Mapping[str, Iterable[str]], *, refusal: str):
        self.moves = {str(start): frozenset(map(str, ends)) for start, ends in moves.items()}
        self.refusal = refusal

    def allows(self, start: str, to: str) -> bool:
        return str(to) in self.moves.get(str(start), frozenset())

    def sources(self, to: str) -> frozenset[str]:
        """The statuses a move to `to` starts from (what a permission rule may test)."""
        return frozenset(start for start, ends in self.moves.items() if str(to) in ends)

    def move(
        self,
        obj: Any,
        to: str,
        *,
        by: Any,
        note: str = "",
        changes: Mapping[str, Any] | None = None,
    ) -> Any:
        """Check the move, set status and `changes`, save only those fields, record the event.

        `obj` is locked by the caller (select_for_update) inside its transaction.
        """
        status_field = obj._meta.get_field("status")
        if not self.allows(obj.status, to):
            labels = dict(status_field.choices)
            raise TransitionError(
                self.refusal % {"status": labels.get(obj.status, obj.status), "to": labels[to]}
            )
        start = obj.status
        obj.status = to
        for name, value in (changes or {}).items():
            setattr(obj, name, value)
        obj.save(update_fields=["status", "updated_at", *(changes or {})])
        obj.events.create(actor=by, from_status=start, to_status=to, note=note)
        return obj
