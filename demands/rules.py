"""Who may see and do what to a demand or a survey campaign (object rules).

A demand is seen whole by its firm, by staff of its province and by national coordinators
(not while it is a draft: a draft is the firm's own). Everyone else signed in sees it only once
listed, and then by its visibility: public whole, anonymised without the firm's identity,
contact and attachments, confidential not at all; a representation learns the firm once both
it and the firm said "interested" in one of their matches. The same answers for a whole list are
`demands.selectors.demands_visible_to` (tests/accounts/test_rule_scopes.py ties the two).

django-rules' autodiscovery imports this module when the apps are ready; callers ask
`accounts.permissions.can(user, "demand.edit", demand)`.
"""

from __future__ import annotations

import rules

from accounts.permissions.core import (
    in_users_province,
    is_enterprise,
    is_national,
    is_representative,
    is_staff,
    status_in,
)

from .models import Demand, DemandExport, Visibility

S = Demand.Status


@rules.predicate
def is_own_demand(user, demand) -> bool:
    return demand.organization_id == user.organization_id


@rules.predicate
def is_not_draft(user, demand) -> bool:
    return demand.status != S.DRAFT


@rules.predicate
def is_listed_for_others(user, demand) -> bool:
    return demand.status in Demand.LISTED_STATUSES and demand.visibility != Visibility.CONFIDENTIAL


@rules.predicate
def is_public(user, demand) -> bool:
    return demand.visibility == Visibility.PUBLIC


@rules.predicate
def is_own_export(user, export: DemandExport) -> bool:
    return export.requested_by_id == user.pk


@rules.predicate
def is_not_confidential(user, demand) -> bool:
    return demand.visibility != Visibility.CONFIDENTIAL


@rules.predicate
def is_consented_partner(user, demand) -> bool:
    """The firm and this representation both said "interested" in one of their matches: the
    firm agreed to be known to it (as match.see_contacts says on the match). The demands of
    such matches are read once per user object (a request), not once per demand listed."""
    ids = getattr(user, "_consented_demand_ids", None)
    if ids is None:
        from matching.models import Answer, Match

        ids = set(
            Match.objects.filter(
                offer__representation_id=user.organization_id,
                enterprise_answer=Answer.INTERESTED,
                representation_answer=Answer.INTERESTED,
            ).values_list("demand_id", flat=True)
        )
        user._consented_demand_ids = ids
    return demand.pk in ids


province_staff = is_staff & in_users_province
insiders = (is_enterprise & is_own_demand) | ((province_staff | is_national) & is_not_draft)
shows_identity = (
    insiders | (is_listed_for_others & is_public) | (is_representative & is_consented_partner)
)

rules.add_rule("demand.view", insiders | is_listed_for_others)
# The firm's name, contact and attachments.
rules.add_rule("demand.view_identity", shows_identity)
# The title wherever a demand is named (a match, a mail, a report): hidden only while the
# demand is confidential and the reader is not an insider.
rules.add_rule("demand.see_title", is_not_confidential | shows_identity)
rules.add_rule("demand.create", is_enterprise)
rules.add_rule("demand.edit", is_enterprise & is_own_demand & status_in(*Demand.EDITABLE_STATUSES))
rules.add_rule(
    "demand.submit", is_enterprise & is_own_demand & status_in(*Demand.EDITABLE_STATUSES)
)
rules.add_rule("demand.withdraw", is_enterprise & is_own_demand & status_in(*Demand.OPEN_STATUSES))
rules.add_rule("demand.publish", province_staff & status_in(S.SUBMITTED))
rules.add_rule("demand.return", province_staff & status_in(S.SUBMITTED))
rules.add_rule("demand.close", province_staff & status_in(*Demand.LIVE_STATUSES))
rules.add_rule("demand.fulfil", province_staff & status_in(*Demand.LIVE_STATUSES))
rules.add_rule("demand.mark_in_connection", province_staff & status_in(S.PUBLISHED))
# The timeline and the review note name the people involved: insiders only.
rules.add_rule("demand.view_history", insiders)
rules.add_rule("demand.import", is_staff)
rules.add_rule("demand.list_province", is_staff | is_national)
# Which list a menu offers: the firm's own demands, or the listed demands offers answer.
rules.add_rule("demand.list_own", is_enterprise)
rules.add_rule("demand.list_listed", is_representative)

rules.add_rule("campaign.create", is_staff)
rules.add_rule("campaign.manage", province_staff)
rules.add_rule("campaign.view", province_staff | is_national)

# A prepared export holds what its requester could see when it was written: theirs alone.
rules.add_rule("demand_export.download", is_own_export)
