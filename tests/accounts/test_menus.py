"""The main menu each role sees, decided by rules (accounts/templatetags/access.py), not roles."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

MENUS = {
    "enterprise_tn": ["demands:list", "offers:catalog", "connections:introductions", "events:list"],
    "staff_tn": [
        "demands:list",
        "demands:campaign_list",
        "offers:catalog",
        "connections:review",
        "connections:board",
        "events:list",
        "accounts:pending",
    ],
    "rep_jp": [
        "demands:list",
        "offers:catalog",
        "offers:mine",
        "offers:create",
        "offers:import",
        "offers:api_token",
        "connections:introductions",
        "events:list",
    ],
    "coordinator": [
        "demands:list",
        "demands:campaign_list",
        "offers:catalog",
        "matching:runs",
        "connections:board",
        "events:list",
    ],
    "superuser": [
        "demands:list",
        "demands:campaign_list",
        "offers:catalog",
        "matching:runs",
        "connections:board",
        "events:list",
        "accounts:pending",
        "admin:index",
    ],
    # A registration awaiting approval has no role yet: the dashboard link only.
    "pending_enterprise_tn": [],
}


def _menu(client, user) -> list[str]:
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', nav)[1:]  # after "Dashboard"


@pytest.mark.parametrize("who", MENUS)
def test_each_role_sees_its_menu(client, request, who):
    user = request.getfixturevalue(who)
    assert _menu(client, user) == [reverse(name) for name in MENUS[who]]


def test_templates_never_compare_roles():
    """Templates ask a rule (`{% can "rule" obj as flag %}`), never `user.role`."""
    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if re.search(r"\buser\.role\b(?!_label)", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_templates_ask_the_title_and_identity_rules():
    """A matched demand's title shows by `demand.see_title` and a firm is named by
    `demand.view_identity`, asked in the template; not a visibility test or a flag a view set."""
    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if re.search(
            r"match\.demand\.visibility|\.shows_identity|demand_identity_shown",
            path.read_text(encoding="utf-8"),
        )
    ]
    assert offenders == []
