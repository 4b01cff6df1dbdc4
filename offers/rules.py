"""Who may see and do what to a technology offer (object rules).

Published offers are seen by everyone signed in; drafts only by their representation; staff
and coordinators keep seeing an archived offer (past matches and agreements point to it). The
same answer for a whole list is `offers.selectors.offers_visible_to`
(tests/accounts/test_rule_scopes.py ties the two). django-rules' autodiscovery imports this
module when the apps are ready.
"""

from __future__ import annotations

import rules

from accounts.permissions.core import (
    is_admin,
    is_national,
    is_representative,
    is_staff,
    status_in,
)

from .models import Offer

S = Offer.Status


@rules.predicate
def is_own_offer(user, offer) -> bool:
    return offer.representation_id == user.organization_id


is_published = status_in(S.PUBLISHED)
is_archived = status_in(S.ARCHIVED)
is_draft = status_in(S.DRAFT)
own = is_representative & is_own_offer

# The admin sees every offer, drafts included (as in the Django admin).
rules.add_rule(
    "offer.view", is_admin | own | is_published | ((is_staff | is_national) & is_archived)
)
rules.add_rule("offer.view_attachments", own | is_published | is_national)
# The catalog is open to every signed-in role (`can` already refuses users without one).
rules.add_rule("offer.browse_catalog", rules.always_allow)
rules.add_rule("offer.create", is_representative)
rules.add_rule("offer.import", is_representative)
rules.add_rule("offer.list_own", is_representative)  # "my offers", the API, import, tokens
rules.add_rule("offer.edit", own & ~is_archived)
rules.add_rule("offer.publish", own & is_draft)
rules.add_rule("offer.archive", own & ~is_archived)
rules.add_rule("offer.republish", own & is_archived)
