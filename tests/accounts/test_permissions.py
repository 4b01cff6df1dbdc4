"""The permission matrix: every role x organisation x action, same and other province."""

import pytest

from accounts import permissions
from tests.conftest import CAST

TARGETS = ["org_tn", "org_bn", "pending_tn", "pending_bn", "rep_jp_org"]

# Who may do what to which organisation; everyone not listed is refused.
ALLOWED = {
    "organization.view": {
        "enterprise_tn": {"org_tn"},
        "enterprise_bn": {"org_bn"},
        "staff_tn": {"org_tn", "pending_tn"},
        "staff_bn": {"org_bn", "pending_bn"},
        "rep_jp": {"rep_jp_org"},
        "coordinator": set(TARGETS),
        "superuser": set(TARGETS),
    },
    "organization.edit": {
        "enterprise_tn": {"org_tn"},
        "enterprise_bn": {"org_bn"},
        "superuser": set(TARGETS),
    },
    "organization.approve": {
        "staff_tn": {"pending_tn"},
        "staff_bn": {"pending_bn"},
        "superuser": {"pending_tn", "pending_bn"},
    },
}


@pytest.fixture
def targets(enterprise_tn, enterprise_bn, pending_enterprise_tn, pending_enterprise_bn, rep_jp):
    return {
        "org_tn": enterprise_tn.organization,
        "org_bn": enterprise_bn.organization,
        "pending_tn": pending_enterprise_tn.organization,
        "pending_bn": pending_enterprise_bn.organization,
        "rep_jp_org": rep_jp.organization,
    }


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("who", CAST)
@pytest.mark.django_db
def test_organization_rules_matrix(who, action, cast, targets):
    user = cast(who)
    allowed = {name for name, org in targets.items() if permissions.can(user, action, org)}
    assert allowed == ALLOWED[action].get(who, set())


@pytest.mark.parametrize("who", CAST)
@pytest.mark.django_db
def test_organizations_visible_to_agrees_with_view_rule(who, cast, targets):
    user = cast(who)
    visible = set(
        permissions.organizations_visible_to(user).filter(
            pk__in=[org.pk for org in targets.values()]
        )
    )
    assert visible == {
        org for org in targets.values() if permissions.can(user, "organization.view", org)
    }


@pytest.mark.parametrize("who", CAST)
@pytest.mark.django_db
def test_pending_registrations_listed_only_to_staff_of_the_province(who, cast, targets):
    expected = {
        "staff_tn": {"pending_tn"},
        "staff_bn": {"pending_bn"},
        "superuser": {"pending_tn", "pending_bn"},
    }.get(who, set())
    listed = set(permissions.pending_registrations_for(cast(who)))
    assert listed == {targets[name] for name in expected}


@pytest.mark.django_db
def test_require_raises_for_a_refused_action(staff_bn, targets):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        permissions.require(staff_bn, "organization.approve", targets["pending_tn"])


@pytest.mark.django_db
def test_deactivated_user_loses_every_right(staff_tn, targets):
    staff_tn.is_active = False
    assert not permissions.can(staff_tn, "organization.view", targets["org_tn"])
