"""The one place that answers "may this user see / do this to this object".

Two kinds of answers, kept side by side so they cannot drift apart:
- `can(user, action, obj)` for one object (predicates from `rules`);
- `<things>_visible_to(user, queryset)` to scope a list, an export, an API or a search.

Views fetch objects through the scoped querysets (an object outside the scope answers 404,
so ids do not leak) and then `require()` the action they are about to perform.
Apps register their object rules here; the predicates look only at ids on the object, so
this module imports no other app's models.
"""

from .core import (
    can,
    is_admin,
    is_coordinator,
    is_enterprise,
    is_representative,
    is_staff,
    organizations_visible_to,
    pending_registrations_for,
    require,
    role_of,
)
from .demands import campaigns_visible_to, demand_shows_identity, demands_visible_to
from .matching import matches_visible_to
from .offers import offers_visible_to
from .reports import report_provinces_visible_to

__all__ = [
    "campaigns_visible_to",
    "can",
    "demand_shows_identity",
    "demands_visible_to",
    "is_admin",
    "is_coordinator",
    "is_enterprise",
    "is_representative",
    "is_staff",
    "matches_visible_to",
    "offers_visible_to",
    "organizations_visible_to",
    "pending_registrations_for",
    "report_provinces_visible_to",
    "require",
    "role_of",
]
