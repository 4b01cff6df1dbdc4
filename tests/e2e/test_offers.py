"""A representative in Japan posts an offer; an enterprise finds it by an unaccented word."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)  # live_server: runs after the other tests

TITLE = "Automatic mirror polishing cell for plastic injection moulds"


def test_rep_posts_english_offer_with_vietnamese_summary_and_enterprise_finds_it(
    demo, sign_in, page, live_server
):
    sign_in("rep.japan@demo.local")
    page.goto(f"{live_server.url}/offers/new/")
    page.fill("input[name=provider_name]", "Sakura Finishing K.K.")
    page.select_option("select[name=provider_country]", "JP")
    page.fill("input[name=title]", TITLE)
    page.fill(
        "textarea[name=summary]",
        "A robot cell with force control and a camera that polishes injection moulds to a "
        "mirror finish without a skilled polisher.",
    )
    page.fill("input[name=title_vi]", "Cụm robot đánh bóng gương khuôn ép nhựa tự động")
    page.fill(
        "textarea[name=summary_vi]",
        "Robot có điều khiển lực và camera, đánh bóng khuôn ép nhựa đến độ bóng gương.",
    )
    page.fill(
        "textarea[name=advantages]",
        "Polishing time falls from two days to five hours; repeatable surface quality.",
    )
    page.select_option("select[name=fields]", "2.03")
    page.select_option("select[name=trl]", "8")
    page.select_option("select[name=ip_status]", "know_how")
    page.check("input[name=cooperation][value=license]")
    page.click("button[name=publish]")
    page.wait_for_load_state()
    assert "/publish/" in page.url
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    # rep.japan reads in English: the original title; a Vietnamese reader gets title_vi
    assert page.locator("h1").first.inner_text() == TITLE
    offer_url = page.url

    page.context.clear_cookies()
    sign_in("enterprise.tea@demo.local")
    page.goto(f"{live_server.url}/offers/?q=danh+bong+guong")
    link = page.locator(f"a[href='{offer_url.removeprefix(live_server.url)}']")
    assert link.count() == 1
    link.click()
    page.wait_for_load_state()
    assert (
        page.locator("h1").first.inner_text() == "Cụm robot đánh bóng gương khuôn ép nhựa tự động"
    )
    assert TITLE in page.content()  # the original, marked with its language
