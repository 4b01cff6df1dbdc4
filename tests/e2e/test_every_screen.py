"""Every page type of every role on a 390 px phone: axe-core finds no serious or critical
violation, nothing scrolls sideways, each page has a description; and the demand form can be
filled by keyboard alone (issue 15 §4)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from accounts.models import User
from connections.selectors import connections_visible_to
from demands.models import Demand
from demands.selectors import campaigns_visible_to, demands_visible_to
from matching.models import Match
from offers.selectors import offer_list_catalog, offer_list_own
from tests.conftest import reload_reference_data
from tests.factories import PASSWORD, UserFactory
from tests.matching.conftest import OFFERS, TEA_DEMAND, make_demand, make_offer

from .conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)  # live_server: runs after the other tests

PHONE = {"width": 390, "height": 844}
SERIOUS = {"serious", "critical"}


def pages_of(role: str) -> tuple[str | None, list[str]]:
    """The sign-in and the pages, one of each type, that `role` sees in the demo."""
    if role == "anonymous":
        return None, ["/", "/accounts/login/", "/accounts/signup/", "/offers/"]
    email = {
        "enterprise": "enterprise.tea@demo.local",
        "staff": "staff.thainguyen@demo.local",
        "representative": "rep.japan@demo.local",
        "coordinator": "coordinator@demo.local",
    }[role]
    user = User.objects.get(email=email)
    if role == "enterprise":
        demand = demands_visible_to(user).filter(organization=user.organization).first()
        offer = offer_list_catalog(user).first()
        return email, [
            "/dashboard/",
            "/demands/",
            "/demands/new/",
            f"/demands/{demand.pk}/",
            "/offers/",
            f"/offers/{offer.pk}/",
            "/matching/introductions/",
            "/notifications/",
            "/accounts/profile/",
            "/alerts/",
            "/sessions/",
        ]
    if role == "staff":
        match = (
            connections_visible_to(user)
            .filter(status__in=Match.PROGRESS_STATUSES)
            .order_by("-status")
            .first()
        )
        demand = demands_visible_to(user).filter(status=Demand.Status.SUBMITTED).first()
        campaign = campaigns_visible_to(user).first()
        return email, [
            "/dashboard/",  # with the reports
            "/matching/review/",
            "/matching/board/",
            f"/matching/{match.pk}/",
            f"/matching/{match.pk}/thread/",
            "/demands/",
            f"/demands/{demand.pk}/",
            "/demands/campaigns/",
            f"/demands/campaigns/{campaign.pk}/",
            "/accounts/registrations/",
            "/notifications/",
            "/sessions/",
            "/sessions/new/",
        ]
    if role == "representative":
        offer = offer_list_own(user).first()
        return email, [
            "/dashboard/",
            "/offers/mine/",
            "/offers/new/",
            f"/offers/{offer.pk}/",
            "/matching/introductions/",
            "/demands/",
            "/offers/api-token/",
            "/alerts/",
            "/api/docs/",
        ]
    return email, ["/dashboard/", "/matching/runs/", "/matching/settings/", "/matching/board/"]


ROLES = ["anonymous", "enterprise", "staff", "representative", "coordinator"]


def test_every_page_passes_axe_and_fits_a_phone(demo, browser, live_server):
    # One test for every role: the demo is seeded once (a test per role would seed it five
    # times), one browser context per role, signed in once.
    axe = Axe()
    problems = []
    for role in ROLES:
        email, paths = pages_of(role)
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        if email:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", email)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.ok, (role, path, response.status)
            for toggle in page.locator(".filters-toggle[aria-expanded=false]").all():
                toggle.click()  # a phone folds a list's filters; axe reads only what shows
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{role} {path}: {width} px wide")
            if not page.locator("meta[name=description]").get_attribute("content"):
                problems.append(f"{role} {path}: no meta description")
            for violation in axe.run(page).response["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = [node["target"] for node in violation["nodes"][:3]]
                    problems.append(f"{role} {path}: {violation['id']} {targets}")
        context.close()
    assert problems == []


@pytest.fixture
def reference_data(transactional_db):
    """Provinces, fields and the like, flushed by the transactional test before."""
    reload_reference_data()


@pytest.fixture
def firm_member(reference_data):
    """A member of a tea firm, without the whole demo (seeding it takes a minute)."""
    return UserFactory(email="member@firm.example")


def sign_in(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_phone_menu_opens_and_closes_by_keyboard(firm_member, browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, firm_member.email, PASSWORD)
    toggle = page.locator("button.navtoggle")
    nav = page.locator("#site-nav")
    header_height = page.locator("header.topbar").bounding_box()["height"]
    assert header_height < 100 and not nav.is_visible()
    assert toggle.get_attribute("aria-controls").split()[0] == "site-nav"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and nav.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#site-nav') !== null")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not nav.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('navtoggle')")
    # a wide screen shows the menu on one row under the brand, no button
    page.set_viewport_size({"width": 1280, "height": 800})
    assert nav.is_visible() and not toggle.is_visible()
    links = nav.locator("a")
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1
    context.close()


def focused_body(page) -> bool:
    return page.evaluate("document.activeElement === document.body")


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus; each stop must show a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        ring = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"
        )
        assert ring or focused_body(page), page.evaluate(
            "document.activeElement.outerHTML.slice(0, 120)"
        )
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached by keyboard")


def test_enterprise_fills_the_demand_form_by_keyboard_only(firm_member, browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(firm_member.email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.goto(f"{live_server.url}/demands/new/")
    tab_to(page, "a.skip")
    page.keyboard.press("Enter")
    tab_to(page, "#id_title")
    page.keyboard.type("Sấy chè bằng bơm nhiệt, điền bằng bàn phím")
    tab_to(page, "#id_problem")
    page.keyboard.type("Lò sấy than làm chè sẫm màu và mất hương.")
    tab_to(page, "#id_fields")
    page.keyboard.press("ArrowDown")  # a list box selects as the arrow moves
    tab_to(page, "input[name=cooperation]")
    page.keyboard.press("Space")
    tab_to(page, "button[name=action][value=save]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    demand = Demand.objects.get(title="Sấy chè bằng bơm nhiệt, điền bằng bàn phím")
    assert demand.problem == "Lò sấy than làm chè sẫm màu và mất hương."
    assert demand.fields.count() == 1 and demand.cooperation.count() == 1
    assert page.locator(".msg-success").is_visible()
    # and the page does not trap the keyboard: Tab reaches the page's last link or control
    page.evaluate(
        "() => [...document.querySelectorAll('a[href], button, input, select, textarea')]"
        ".filter((e) => e.offsetParent !== null && !e.disabled).pop()"
        ".setAttribute('data-last-stop', '')"
    )
    tab_to(page, "[data-last-stop]", limit=200)
    context.close()


def test_staff_review_the_queue_by_keyboard_only(
    reference_data, browser, live_server, staff_tn, enterprise_tn, rep_jp
):
    demand = make_demand(enterprise_tn.organization, **TEA_DEMAND)
    first, second = (
        Match.objects.create(
            demand=demand,
            offer=make_offer(rep_jp.organization, **spec),
            score=score,
            engine_version="t",
        )
        for spec, score in ((OFFERS[0], 0.9), (OFFERS[1], 0.8))
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, staff_tn.email, PASSWORD)
    page.goto(f"{live_server.url}/matching/review/")

    tab_to(page, f"#match-{first.pk} form[action$='/shortlist/'] button")
    page.keyboard.press("Enter")  # htmx swaps the row
    page.locator(f"#match-{first.pk} form[action$='/shortlist/']").wait_for(state="detached")
    first.refresh_from_db()
    assert first.status == Match.Status.SHORTLISTED
    # the keyboard keeps its place in the new row instead of starting over at the top (set
    # once htmx has settled the swap: waited for, up to 5 s)
    page.wait_for_function(
        f"document.activeElement && document.activeElement.closest('#match-{first.pk}') !== null",
        timeout=5000,
    )

    tab_to(page, f"#match-{second.pk} select[name=reason]")
    page.keyboard.press("ArrowDown")  # a closed list box changes its choice with the arrows
    tab_to(page, f"#match-{second.pk} form[action$='/reject/'] button")
    page.keyboard.press("Enter")
    page.locator(f"#match-{second.pk} form[action$='/reject/']").wait_for(state="detached")
    second.refresh_from_db()
    assert second.status == Match.Status.REJECTED and second.reject_reason
    context.close()
