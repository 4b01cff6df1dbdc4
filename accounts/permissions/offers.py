"""Offers: published ones are seen by everyone signed in; drafts only by their representation."""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet

from accounts.models import Role

from .core import is_national, is_representative, is_staff, role_of

PUBLISHED, DRAFT, ARCHIVED = "published", "draft", "archived"


@rules.predicate
def is_own_offer(user, offer) -> bool:
    return offer.representation_id == user.organization_id


@rules.predicate
def is_published(user, offer) -> bool:
    return offer.status == PUBLISHED


@rules.predicate
def is_archived(user, offer) -> bool:
    return offer.status == ARCHIVED


@rules.predicate
def is_draft(user, offer) -> bool:
    return offer.status == DRAFT


own = is_representative & is_own_offer

# Staff and coordinators keep seeing an archived offer: past matches and agreements point to it.
rules.add_rule("offer.view", own | is_published | ((is_staff | is_national) & is_archived))
rules.add_rule("offer.view_attachments", own | is_published | is_national)
rules.add_rule("offer.create", is_representative)
rules.add_rule("offer.import", is_representative)
rules.add_rule("offer.list_own", is_representative)  # "my offers", the API, import, tokens
rules.add_rule("offer.edit", own & ~is_archived)
rules.add_rule("offer.publish", own & is_draft)
rules.add_rule("offer.archive", own & ~is_archived)
rules.add_rule("offer.republish", own & is_archived)


def offers_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    if queryset is None:
        from offers.models import Offer

        queryset = Offer.objects.all()
    role = role_of(user)
    if role == Role.NONE:
        return queryset.none()
    if role == Role.ADMIN:
        return queryset
    scope = Q(status=PUBLISHED)
    if role == Role.REPRESENTATIVE:
        scope |= Q(representation_id=user.organization_id)
    if role in (Role.STAFF, Role.COORDINATOR):
        scope |= Q(status=ARCHIVED)
    return queryset.filter(scope)
