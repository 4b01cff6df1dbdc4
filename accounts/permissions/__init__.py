"""The entry points that answer "may this user see / do this to this object".

Two kinds of answers, kept side by side so they cannot drift apart:
- `can(user, action, obj)` for one object: the object rules, each in its app's `rules.py`
  (demands/rules.py, offers/rules.py, matching/rules.py, connections/rules.py,
  insights/rules.py), registered with django-rules when the apps are ready;
- `<things>_visible_to(user, queryset)` to scope a list, an export, an API or a search: each in
  its app's selectors (demands.selectors.demands_visible_to, ...).
tests/accounts/test_rule_scopes.py checks, for every role, that an object rule and its scope
agree on every object of a seeded set.

Views fetch objects through the scoped querysets (an object outside the scope answers 404,
so ids do not leak) and then `require()` the action they are about to perform. This package
keeps who the user is (roles), the organisation rules and the predicates every app shares; it
imports no other app.
"""

from .core import (
    can,
    in_users_province,
    is_admin,
    is_coordinator,
    is_enterprise,
    is_national,
    is_representative,
    is_staff,
    organizations_visible_to,
    pending_registrations_for,
    require,
    role_of,
    status_in,
)

__all__ = [
    "can",
    "in_users_province",
    "is_admin",
    "is_coordinator",
    "is_enterprise",
    "is_national",
    "is_representative",
    "is_staff",
    "organizations_visible_to",
    "pending_registrations_for",
    "require",
    "role_of",
    "status_in",
]
