"""The enterprise's form (drafts, completeness, submit) and attachments through the views."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demands.models import Demand, DemandAttachment

S = Demand.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

COMPLETE = {
    "title": "Máy sấy chè bơm nhiệt",
    "problem": "Lò sấy than làm chè sẫm màu và mất hương; mỗi năm hỏng khoảng 8% sản lượng, khách hàng phàn nàn nhiều.",
    "current_situation": "Lò sấy than thủ công",
    "expected_result": "Sấy 500 kg chè tươi mỗi mẻ ở 45 °C, độ ẩm thành phẩm dưới 5%.",
    "fields": ["2.11"],
    "cooperation": ["equipment_purchase"],
    "trl_min": "8",
    "budget_min_vnd": "500.000.000",
    "budget_max_vnd": "1.500.000.000",
    "wanted_by": "2030-12-31",
    "visibility": "anonymised",
    "capacity_staff": "skilled",
}


def pdf(name="ho-so.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.django_db
def test_draft_saves_with_almost_nothing_and_comes_back(client, enterprise_tn):
    client.force_login(enterprise_tn)
    response = client.post(reverse("demands:create"), {"title": "Chưa xong", "action": "save"})
    demand = Demand.objects.get()
    assert response.status_code == 302 and response.url == reverse("demands:edit", args=[demand.pk])
    assert demand.status == S.DRAFT
    page = client.get(response.url).content.decode()
    assert "Chưa xong" in page


@pytest.mark.django_db
def test_format_error_keeps_the_typed_values(client, enterprise_tn):
    client.force_login(enterprise_tn)
    data = {**COMPLETE, "budget_min_vnd": "năm trăm triệu", "action": "save"}
    response = client.post(reverse("demands:create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["budget_min_vnd"]
    assert "Máy sấy chè bơm nhiệt" in response.content.decode()
    assert not Demand.objects.exists()


@pytest.mark.django_db
def test_budget_bounds_in_the_wrong_order_are_refused(client, enterprise_tn):
    client.force_login(enterprise_tn)
    response = client.post(
        reverse("demands:create"),
        {**COMPLETE, "budget_min_vnd": "9000", "budget_max_vnd": "10", "action": "save"},
    )
    assert response.status_code == 400 and response.context["form"].errors["budget_max_vnd"]


@pytest.mark.django_db
def test_more_than_three_fields_is_refused(client, enterprise_tn):
    client.force_login(enterprise_tn)
    response = client.post(
        reverse("demands:create"),
        {**COMPLETE, "fields": ["2.11", "4.01", "2.03", "2.07"], "action": "save"},
    )
    assert response.status_code == 400 and response.context["form"].errors["fields"]


@pytest.mark.django_db
def test_submit_incomplete_saves_the_draft_and_shows_what_is_missing(client, enterprise_tn):
    client.force_login(enterprise_tn)
    response = client.post(reverse("demands:create"), {"title": "Thiếu nhiều", "action": "submit"})
    demand = Demand.objects.get()
    assert demand.status == S.DRAFT and demand.title == "Thiếu nhiều"
    assert response.status_code == 200 and response.context["blocked"]
    fields = {issue.field for issue in response.context["issues"]}
    assert {"problem", "expected_result", "fields"} <= fields
    assert response.context["form"].errors["expected_result"]
    assert "Bản nháp đã được lưu" in response.content.decode()  # it says the draft is kept


@pytest.mark.django_db
def test_complete_demand_with_attachment_is_submitted(client, enterprise_tn):
    client.force_login(enterprise_tn)
    response = client.post(
        reverse("demands:create"),
        {**COMPLETE, "action": "submit", "attachments": [pdf("../../hồ sơ kỹ thuật.pdf")]},
    )
    demand = Demand.objects.get()
    assert response.status_code == 302 and response.url == demand.get_absolute_url()
    assert demand.status == S.SUBMITTED and demand.budget_max_vnd == 1_500_000_000
    attachment = demand.attachments.get()
    assert attachment.original_name == "hồ sơ kỹ thuật.pdf"
    assert "/" not in attachment.file.name.removeprefix("attachments/demands/")
    assert not attachment.file.name.endswith(".pdf")  # stored under a random name


@pytest.mark.django_db
def test_no_budget_is_a_warning_the_writer_may_accept(client, enterprise_tn):
    client.force_login(enterprise_tn)
    data = {**COMPLETE, "budget_min_vnd": "", "budget_max_vnd": ""}
    response = client.post(reverse("demands:create"), {**data, "action": "submit"})
    demand = Demand.objects.get()
    assert response.status_code == 200 and not response.context["blocked"]
    assert demand.status == S.DRAFT
    client.post(reverse("demands:edit", args=[demand.pk]), {**data, "action": "submit_anyway"})
    demand.refresh_from_db()
    assert demand.status == S.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ke-hoach.pdf", b"just some text pretending to be a PDF"),
        ("anh.png", PDF),
        ("script.exe", b"MZ\x90\x00"),
        ("bang.xlsx", b"PK\x03\x04not a real zip"),
    ],
)
def test_attachment_of_the_wrong_type_is_refused_by_content(
    name, content, client, enterprise_tn, make_demand
):
    demand = make_demand(status=S.DRAFT)
    client.force_login(enterprise_tn)
    response = client.post(
        reverse("demands:edit", args=[demand.pk]),
        {**COMPLETE, "action": "save", "attachments": [pdf(name, content)]},
    )
    assert response.status_code == 400 and response.context["form"].errors["attachments"]
    assert not DemandAttachment.objects.exists()


@pytest.mark.django_db
def test_attachment_too_big_is_refused(client, enterprise_tn, make_demand):
    demand = make_demand(status=S.DRAFT)
    client.force_login(enterprise_tn)
    big = pdf("lon.pdf", PDF + b"0" * (10 * 1024 * 1024))
    response = client.post(
        reverse("demands:edit", args=[demand.pk]),
        {**COMPLETE, "action": "save", "attachments": [big]},
    )
    assert response.status_code == 400 and response.context["form"].errors["attachments"]


@pytest.mark.django_db
def test_at_most_five_attachments(client, enterprise_tn, make_demand):
    demand = make_demand(status=S.DRAFT)
    client.force_login(enterprise_tn)
    url = reverse("demands:edit", args=[demand.pk])
    files = [SimpleUploadedFile(f"a{i}.png", PNG, content_type="image/png") for i in range(4)]
    assert client.post(url, {**COMPLETE, "action": "save", "attachments": files}).status_code == 302
    more = [pdf("b.pdf"), pdf("c.pdf")]
    response = client.post(url, {**COMPLETE, "action": "save", "attachments": more})
    assert response.status_code == 400 and response.context["form"].errors["attachments"]
    assert demand.attachments.count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("visibility", "allowed"),
    [
        (
            "public",
            {"enterprise_tn", "staff_tn", "coordinator", "enterprise_bn", "staff_bn", "rep_jp"},
        ),
        ("anonymised", {"enterprise_tn", "staff_tn", "coordinator"}),
        ("confidential", {"enterprise_tn", "staff_tn", "coordinator"}),
    ],
)
def test_attachment_download_permission(
    visibility, allowed, client, cast, enterprise_tn, make_demand
):
    demand = make_demand(status=S.PUBLISHED, visibility=visibility)
    attachment = DemandAttachment(
        demand=demand, original_name="hồ sơ.pdf", content_type="application/pdf", size=len(PDF)
    )
    attachment.file.save("x", ContentFile(PDF), save=True)
    url = reverse("demands:attachment", args=[attachment.pk])
    for name in [
        "enterprise_tn",
        "staff_tn",
        "coordinator",
        "enterprise_bn",
        "staff_bn",
        "rep_jp",
        "pending_enterprise_tn",
    ]:
        client.force_login(cast(name))
        response = client.get(url)
        if name in allowed:
            assert response.status_code == 200, name
            assert b"".join(response.streaming_content) == PDF
            assert "attachment" in response["Content-Disposition"]
        else:
            assert response.status_code == 404, name
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_attachment_delete_only_by_the_firm_while_editable(
    client, enterprise_tn, staff_tn, make_demand
):
    demand = make_demand(status=S.SUBMITTED)
    attachment = DemandAttachment(
        demand=demand, original_name="a.pdf", content_type="application/pdf", size=1
    )
    attachment.file.save("x", ContentFile(PDF), save=True)
    url = reverse("demands:attachment_delete", args=[attachment.pk])
    client.force_login(staff_tn)
    assert client.post(url).status_code == 403
    client.force_login(enterprise_tn)
    assert client.post(url).status_code == 403  # submitted: no longer editable
    Demand.objects.filter(pk=demand.pk).update(status=S.RETURNED)
    assert client.post(url).status_code == 302
    assert not DemandAttachment.objects.exists()


@pytest.mark.django_db
def test_review_through_the_page(client, enterprise_tn, staff_tn, staff_bn, make_demand):
    demand = make_demand(status=S.SUBMITTED)
    client.force_login(staff_bn)
    assert client.post(reverse("demands:publish", args=[demand.pk])).status_code == 404
    client.force_login(staff_tn)
    page = client.get(demand.get_absolute_url()).content.decode()
    assert reverse("demands:publish", args=[demand.pk]) in page
    client.post(reverse("demands:return", args=[demand.pk]), {"note": ""})
    demand.refresh_from_db()
    assert demand.status == S.SUBMITTED  # a return needs a note
    client.post(reverse("demands:return", args=[demand.pk]), {"note": "Bổ sung công suất"})
    demand.refresh_from_db()
    assert demand.status == S.RETURNED
    client.force_login(enterprise_tn)
    page = client.get(reverse("demands:edit", args=[demand.pk])).content.decode()
    assert "Bổ sung công suất" in page
    assert client.post(reverse("demands:publish", args=[demand.pk])).status_code == 403


@pytest.mark.django_db
def test_timeline_shown_to_insiders_only(client, staff_tn, rep_jp, make_demand):
    demand = make_demand(status=S.PUBLISHED, visibility="public")
    demand.events.create(
        from_status="submitted", to_status="published", actor=staff_tn, note="Ghi chú nội bộ"
    )
    client.force_login(staff_tn)
    assert "Ghi chú nội bộ" in client.get(demand.get_absolute_url()).content.decode()
    client.force_login(rep_jp)
    assert "Ghi chú nội bộ" not in client.get(demand.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_edit_page_refused_outside_editable_states(
    client, enterprise_tn, enterprise_bn, make_demand
):
    demand = make_demand(status=S.PUBLISHED, visibility="public")
    client.force_login(enterprise_bn)
    assert client.get(reverse("demands:edit", args=[demand.pk])).status_code == 403
    client.force_login(enterprise_tn)
    assert client.get(reverse("demands:edit", args=[demand.pk])).status_code == 403
    draft = make_demand(status=S.DRAFT)
    client.force_login(enterprise_bn)
    assert client.get(reverse("demands:edit", args=[draft.pk])).status_code == 404


@pytest.mark.django_db
def test_export_escapes_formulae(client, enterprise_tn, make_demand):
    make_demand(title='=HYPERLINK("http://evil")', keywords="+cmd, @x")
    client.force_login(enterprise_tn)
    text = client.get(reverse("demands:export", args=["csv"])).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd" in text
    assert ",=HYPERLINK" not in text


def test_budget_reads_with_vietnamese_digit_grouping(client, enterprise_tn, make_demand):
    demand = make_demand(
        status=Demand.Status.DRAFT, budget_min_vnd=500_000_000, budget_max_vnd=2_000_000_000
    )
    client.force_login(enterprise_tn)
    page = client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert "500.000.000 – 2.000.000.000" in page


@pytest.mark.django_db
def test_export_reads_as_people_write(client, enterprise_tn, make_demand):
    """Phone numbers as text without an apostrophe, visibility and language in words; in the
    XLSX a text starting with = is a string cell, never a formula."""
    import io

    from openpyxl import load_workbook

    firm = enterprise_tn.organization
    firm.contact_name, firm.contact_phone = "Nguyễn Văn An", "+84 912 345 678"
    firm.save()
    make_demand(title='=HYPERLINK("http://evil")', visibility="anonymised")
    client.force_login(enterprise_tn)
    text = client.get(reverse("demands:export", args=["csv"])).content.decode("utf-8-sig")
    assert ",+84 912 345 678," in text and "'+84" not in text
    assert "Nguyễn Văn An" in text and ",ẩn danh," in text and "Tiếng Việt" in text
    content = client.get(reverse("demands:export", args=["xlsx"])).content
    sheet = load_workbook(io.BytesIO(content)).active
    header, row = [c.value for c in sheet[1]], sheet[2]
    cell = row[header.index("Tên nhu cầu")]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"
    assert row[header.index("Điện thoại")].value == "+84 912 345 678"
    assert row[header.index("Chế độ hiển thị")].value == "ẩn danh"


def test_sort_choices_in_the_readers_language(client, staff_tn, settings):
    client.force_login(staff_tn)
    url = reverse("demands:list")
    assert "thay đổi gần nhất (giảm dần)" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "last change (descending)" in english and "giảm dần" not in english
