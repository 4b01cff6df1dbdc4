"""Who may save searches and manage them (object rules, autodiscovered by django-rules).

Enterprises, representatives, provincial staff and national coordinators save searches; a
saved search is its owner's alone (`alerts.selectors.saved_searches_visible_to` is the list
form: anyone else gets a 404).
"""

from __future__ import annotations

import rules

from accounts.permissions import is_enterprise, is_national, is_representative, is_staff


@rules.predicate
def is_own_saved_search(user, saved_search) -> bool:
    return saved_search.user_id == user.pk


may_save = is_enterprise | is_representative | is_staff | is_national

rules.add_rule("savedsearch.create", may_save)
rules.add_rule("savedsearch.manage", may_save & is_own_saved_search)
