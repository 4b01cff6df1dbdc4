"""Each object rule and its list scope give the same answer, for every role of the cast and
every object of a seeded set: a page that opens one object (`can`) and a list, count, export
or API that scopes many (`<things>_visible_to`) cannot disagree about who sees what."""

import pytest
from django.utils import timezone

from accounts import permissions
from accounts.models import Organization
from demands.models import Demand, Visibility
from demands.selectors import campaigns_visible_to, demands_visible_to
from matching.models import Match
from matching.selectors import matches_visible_to
from offers.models import Offer
from offers.selectors import offers_visible_to

from ..conftest import CAST
from ..demands.factories import CampaignFactory
from ..offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


def _demand(enterprise, status, visibility) -> Demand:
    return Demand.objects.create(
        organization=enterprise.organization,
        province=enterprise.organization.province,
        title=f"{status} {visibility}",
        status=status,
        visibility=visibility,
        published_at=timezone.now(),
    )


@pytest.fixture
def seeded(enterprise_tn, enterprise_bn, rep_jp, rep_de, staff_tn, staff_bn):
    """Demands of two provinces in every status and visibility, offers of two representations
    in every status, their pairs in every status on public and confidential demands, and a
    campaign per province."""
    firms = (enterprise_tn, enterprise_bn)
    demands = [
        _demand(firm, status, visibility)
        for firm in firms
        for status in Demand.Status
        for visibility in Visibility
    ]
    offers = [
        OfferFactory(representation=rep.organization, created_by=rep, status=status)
        for rep in (rep_jp, rep_de)
        for status in Offer.Status
    ]
    published = [o for o in offers if o.status == Offer.Status.PUBLISHED]
    matches = [
        Match.objects.create(
            demand=_demand(firm, Demand.Status.PUBLISHED, visibility),
            offer=offer,
            score=0.5,
            engine_version="test",
            status=status,
        )
        for firm in firms
        for visibility in (Visibility.PUBLIC, Visibility.CONFIDENTIAL)
        for offer in published
        for status in Match.Status
    ]
    campaigns = [
        CampaignFactory(province=staff.organization.province, created_by=staff)
        for staff in (staff_tn, staff_bn)
    ]
    return {
        "demand.view": (demands, demands_visible_to),
        "offer.view": (offers, offers_visible_to),
        "match.view": (matches, matches_visible_to),
        "campaign.view": (campaigns, campaigns_visible_to),
        "organization.view": (
            list(Organization.objects.all()),
            permissions.organizations_visible_to,
        ),
    }


@pytest.mark.parametrize("role", CAST)
def test_each_object_rule_agrees_with_its_scope(role, cast, seeded):
    user = cast(role)
    for rule, (objects, scope) in seeded.items():
        in_scope = set(scope(user).values_list("pk", flat=True))
        disagree = [
            (obj.pk, str(getattr(obj, "status", "")))
            for obj in objects
            if permissions.can(user, rule, obj) != (obj.pk in in_scope)
        ]
        assert not disagree, f"{role}: {rule} and its scope disagree on {disagree}"


def test_the_seeded_set_splits_every_working_role(cast, seeded):
    """The check above means something: each rule lets every working role see some objects
    of the set and hides some from a role other than the national unit."""
    for rule, (objects, _scope) in seeded.items():
        seen = {role: sum(permissions.can(cast(role), rule, o) for o in objects) for role in CAST}
        assert seen["coordinator"] > 0, rule
        assert any(0 < n < len(objects) for n in seen.values()), (rule, seen)
