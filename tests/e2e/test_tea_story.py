"""Issue 11's story in a browser: a Vietnamese tea-drying need, an English heat-pump dryer
posted from Japan, and the dryer among the first three answers with reasons a farmer reads."""

import re

import pytest

from demands.models import Demand
from offers.models import Offer

from .conftest import switch_user

pytestmark = pytest.mark.django_db(transaction=True)  # live_server: runs after the other tests

DEMAND_TITLE = "Sấy chè xanh bằng bơm nhiệt tiết kiệm năng lượng"
OFFER_TITLE = "Heat-pump dryer for green tea leaves with closed-loop humidity control"


def test_english_tea_dryer_is_a_top_answer_to_the_vietnamese_drying_need(
    demo, page, sign_in, live_server
):
    page = sign_in("enterprise.tea@demo.local")
    page.goto(f"{live_server.url}/demands/new/")
    page.fill("#id_title", DEMAND_TITLE)
    page.fill(
        "#id_problem",
        "Hợp tác xã sấy chè bằng lò than: tốn than, nhiệt không đều, chè bị khê "
        "và mất màu xanh, hương cốm giảm.",
    )
    page.fill(
        "#id_current_situation", "Hai lò sấy than thủ công, mỗi mẻ 6 giờ, 300 kg chè búp tươi."
    )
    page.fill(
        "#id_expected_result",
        "Máy sấy chè bằng bơm nhiệt, kiểm soát nhiệt độ và độ ẩm, sấy ở "
        "nhiệt độ thấp giữ màu và hương chè, giảm ít nhất 40% chi phí năng lượng.",
    )
    page.select_option("#id_fields", ["2.11"])
    page.check("input[name=cooperation][value=equipment_purchase]")
    page.fill("#id_budget_min_vnd", "300.000.000")
    page.fill("#id_budget_max_vnd", "900.000.000")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state()
    demand = Demand.objects.get(title=DEMAND_TITLE)
    assert demand.status == "submitted"

    page = switch_user(page, sign_in, "staff.thainguyen@demo.local")
    page.goto(f"{live_server.url}/demands/{demand.pk}/")
    page.click(f"form button[formaction='/demands/{demand.pk}/publish/']")
    page.wait_for_load_state()
    demand.refresh_from_db()
    assert demand.status == "published"

    page = switch_user(page, sign_in, "rep.japan@demo.local")
    page.goto(f"{live_server.url}/offers/new/")
    page.fill("input[name=provider_name]", "Kanto Tea Machinery Co., Ltd.")
    page.select_option("select[name=provider_country]", "JP")
    page.fill("input[name=title]", OFFER_TITLE)
    page.fill(
        "textarea[name=summary]",
        "A heat-pump dryer for green tea that recirculates air in a closed loop and controls "
        "humidity, drying leaves at 40-60 °C. It keeps the green colour and aroma and uses "
        "about half the energy of coal or wood-fired dryers.",
    )
    page.fill(
        "textarea[name=advantages]",
        "Half the fuel cost of coal dryers; even drying without scorched leaves; runs on electricity.",
    )
    page.select_option("select[name=fields]", ["2.11", "2.03"])
    page.select_option("select[name=trl]", "9")
    page.select_option("select[name=ip_status]", "know_how")
    page.check("input[name=cooperation][value=equipment_purchase]")
    page.click("button[name=publish]")
    page.wait_for_load_state()
    page.click("main form button[type=submit]")  # confirm publishing (no Vietnamese summary)
    page.wait_for_load_state()
    offer = Offer.objects.get(title=OFFER_TITLE)
    assert offer.status == "published"

    # Staff read the demand's answers: the English dryer is among the first three.
    page = switch_user(page, sign_in, "staff.thainguyen@demo.local")
    page.goto(f"{live_server.url}/demands/{demand.pk}/")
    answers = page.locator("#matches ol.matchlist > li")
    titles = [
        answers.nth(i).locator(".match-head a").inner_text() for i in range(min(3, answers.count()))
    ]
    assert OFFER_TITLE in titles, titles
    mine = answers.filter(has_text=OFFER_TITLE)
    chips = [c.strip() for c in mine.locator("ul.reasons li").all_inner_texts()]
    assert chips, "the pair explains itself"
    text = " · ".join(chips)
    assert chips[0] in ("Rất phù hợp", "Có khả năng đáp ứng", "Có thể liên quan")  # a plain label
    assert "↔" in text  # a key phrase of the Vietnamese demand beside the English offer's
    assert "cùng lĩnh vực" in text  # the field by name
    assert not re.search(r"top \d+ ?%|nhóm \d+% cao nhất", text)
    assert not any(re.fullmatch(r"[\d.,\s%]+", c) for c in chips)

    # The enterprise finds the dryer by searching in its own words.
    page = switch_user(page, sign_in, "enterprise.tea@demo.local")
    page.goto(f"{live_server.url}/offers/?q=s%E1%BA%A5y+ch%C3%A8")
    assert page.locator(f"a[href='/offers/{offer.pk}/']").count() >= 1
