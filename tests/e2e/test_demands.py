"""The demand story in a browser: write, save, leave, come back, attach, submit, review, publish."""

import pytest

from demands.models import Demand

from .conftest import switch_user

pytestmark = pytest.mark.django_db(transaction=True)  # live_server: runs after the other tests

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TITLE = "Máy sấy chè bơm nhiệt giữ hương cho hợp tác xã"


def test_enterprise_writes_staff_return_and_publish_representative_sees_it_anonymised(
    demo, page, sign_in, live_server
):
    page = sign_in("enterprise.tea@demo.local")
    page.goto(f"{live_server.url}/demands/new/")
    page.fill("#id_title", TITLE)
    page.click("button[name=action][value=save]")
    page.wait_for_load_state()
    assert page.locator(".msg-success").is_visible()

    # leave, then come back from the dashboard
    page.goto(f"{live_server.url}/dashboard/")
    page.click(f"text={TITLE}")
    page.wait_for_load_state()
    assert page.input_value("#id_title") == TITLE
    page.fill(
        "#id_problem",
        "Lò sấy than làm chè sẫm màu và mất hương; mỗi năm hỏng khoảng 8% sản lượng, "
        "khách hàng châu Âu phàn nàn về chất lượng không đồng đều.",
    )
    page.fill("#id_current_situation", "Hai lò sấy than thủ công, sấy 6 giờ mỗi mẻ.")
    page.select_option("#id_fields", ["2.11"])
    page.check("input[name=cooperation][value=equipment_purchase]")
    page.fill("#id_budget_min_vnd", "500.000.000")
    page.fill("#id_budget_max_vnd", "1.500.000.000")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "thông số kỹ thuật.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state()
    # no specification yet: the draft (and its file) is kept and the missing part is named
    assert page.locator("#completeness").is_visible()
    assert page.locator(".has-error #id_expected_result").count() == 1
    page.fill(
        "#id_expected_result",
        "Sấy 500 kg chè tươi mỗi mẻ ở 45 °C, độ ẩm thành phẩm dưới 5%, giữ hương.",
    )
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state()
    demand = Demand.objects.get(title=TITLE)
    assert demand.status == "submitted" and demand.attachments.count() == 1
    assert page.url == f"{live_server.url}/demands/{demand.pk}/"

    page = switch_user(page, sign_in, "staff.thainguyen@demo.local")
    page.goto(f"{live_server.url}/dashboard/staff/")
    page.click(f"text={TITLE}")
    page.fill("#id_note", "Đề nghị bổ sung thời hạn cần có thiết bị.")
    page.click(f"form button[formaction='/demands/{demand.pk}/return/']")
    page.wait_for_load_state()
    demand.refresh_from_db()
    assert demand.status == "returned"

    page = switch_user(page, sign_in, "enterprise.tea@demo.local")
    page.goto(f"{live_server.url}/demands/{demand.pk}/edit/")
    assert "Đề nghị bổ sung thời hạn" in page.content()
    page.fill("#id_wanted_by", "2030-06-30")
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state()
    demand.refresh_from_db()
    assert demand.status == "submitted"

    page = switch_user(page, sign_in, "staff.thainguyen@demo.local")
    page.goto(f"{live_server.url}/demands/{demand.pk}/")
    page.click(f"form button[formaction='/demands/{demand.pk}/publish/']")
    page.wait_for_load_state()
    demand.refresh_from_db()
    assert demand.status == "published"
    history = page.locator(".timeline li")
    assert history.count() == 5  # created (draft), submitted, returned, submitted, published

    page = switch_user(page, sign_in, "rep.japan@demo.local")
    page.goto(f"{live_server.url}/demands/?q=may+say+che")
    assert page.get_by_role("link", name=TITLE).is_visible()
    page.click(f"text={TITLE}")
    page.wait_for_load_state()
    body = page.content()
    assert TITLE in body
    assert demand.organization.name not in body
    assert demand.organization.contact_email not in body
    assert "thông số kỹ thuật.pdf" not in body
