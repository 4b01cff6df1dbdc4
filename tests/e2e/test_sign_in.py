import pytest

pytestmark = pytest.mark.django_db(transaction=True)  # live_server: runs after the other tests

ROLE_PAGES = [
    ("coordinator@demo.local", "/dashboard/coordinator/"),
    ("staff.thainguyen@demo.local", "/dashboard/staff/"),
    ("staff.bacninh@demo.local", "/dashboard/staff/"),
    ("enterprise.tea@demo.local", "/dashboard/enterprise/"),
    ("enterprise.electronics@demo.local", "/dashboard/enterprise/"),
    ("enterprise.bacninh@demo.local", "/dashboard/enterprise/"),
    ("rep.japan@demo.local", "/dashboard/representative/"),
    ("rep.germany@demo.local", "/dashboard/representative/"),
    ("admin@demo.local", "/admin/"),
]


@pytest.mark.parametrize(("email", "path"), ROLE_PAGES)
def test_each_demo_login_reaches_its_dashboard(demo, sign_in, live_server, email, path):
    page = sign_in(email)
    assert page.url == f"{live_server.url}{path}"
    if path != "/admin/":
        assert page.locator("h1").first.is_visible()
        # the demo's representatives chose English, everyone else Vietnamese
        expected = "en" if email.startswith("rep.") else "vi"
        assert page.locator("html").get_attribute("lang") == expected


def test_wrong_password_shows_a_message_and_keeps_the_email(demo, sign_in, live_server):
    page = sign_in("staff.thainguyen@demo.local", "not-the-password")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert page.input_value("input[name=username]") == "staff.thainguyen@demo.local"
    assert page.locator(".msg-error").is_visible()


def test_language_switch_from_the_page(demo, page, live_server):
    page.goto(live_server.url + "/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Enterprises").is_visible()
