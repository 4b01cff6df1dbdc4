"""CSV and XLSX of a scoped queryset of demands, with the portal's field names in Vietnamese.

The caller passes a queryset already scoped by `demands_visible_to`; rows the user may see only
anonymised lose the firm's name, tax code and contact here, as on the detail page.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from accounts import permissions

from .models import Demand

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _names(items) -> str:
    return "; ".join(str(i.name_vi) for i in items)


# (Vietnamese header, value, carries the firm's identity)
COLUMNS: list[tuple[str, Callable[[Demand], object], bool]] = [
    ("Mã nhu cầu", lambda d: d.pk, False),
    ("Tên nhu cầu", lambda d: d.title, False),
    ("Trạng thái", lambda d: d.get_status_display(), False),
    ("Tỉnh/thành phố", lambda d: d.province.name_vi, False),
    ("Doanh nghiệp", lambda d: d.organization.name, True),
    ("Mã số thuế", lambda d: d.organization.tax_code, True),
    ("Người liên hệ", lambda d: d.organization.contact_name, True),
    ("Email liên hệ", lambda d: d.organization.contact_email, True),
    ("Điện thoại", lambda d: d.organization.contact_phone, True),
    ("Vấn đề cần giải quyết", lambda d: d.problem, False),
    ("Hiện trạng công nghệ", lambda d: d.current_situation, False),
    ("Kết quả mong muốn và thông số kỹ thuật", lambda d: d.expected_result, False),
    ("Lĩnh vực KH&CN", lambda d: "; ".join(f.code for f in d.fields.all()), False),
    ("Từ khóa", lambda d: d.keywords, False),
    ("Hình thức hợp tác", lambda d: _names(d.cooperation.all()), False),
    ("TRL tối thiểu", lambda d: d.trl_min_id, False),
    ("Kinh phí từ (VNĐ)", lambda d: d.budget_min_vnd, False),
    ("Kinh phí đến (VNĐ)", lambda d: d.budget_max_vnd, False),
    ("Thời hạn cần", lambda d: d.wanted_by, False),
    ("Quốc gia ưu tiên", lambda d: "; ".join(c.code for c in d.preferred_countries), False),
    ("Năng lực: nhân lực kỹ thuật", lambda d: d.get_capacity_staff_display(), False),
    ("Năng lực: có mặt bằng", lambda d: "có" if d.capacity_has_space else "không", False),
    ("Năng lực: khả năng đầu tư", lambda d: d.get_capacity_investment_display(), False),
    ("Năng lực: ghi chú", lambda d: d.capacity_note, False),
    ("Chế độ hiển thị", lambda d: d.visibility, False),
    ("Ngôn ngữ", lambda d: d.language, False),
    ("Đợt khảo sát", lambda d: d.campaign.name if d.campaign_id else "", False),
    (
        "Ngày gửi",
        lambda d: (
            timezone.localtime(d.submitted_at).replace(tzinfo=None) if d.submitted_at else None
        ),
        False,
    ),
]
HEADERS = [header for header, _get, _identity in COLUMNS]


def safe_cell(value):
    """Dates and numbers stay typed; text starting with = + - @ would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | datetime.date):
        return value
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows(user, demands: Iterable[Demand]):
    for demand in demands:
        shows_identity = permissions.can(user, "demand.view_identity", demand)
        yield [
            safe_cell(get(demand)) if (shows_identity or not identity) else ""
            for _header, get, identity in COLUMNS
        ]


def as_csv(user, demands: Iterable[Demand], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows(user, demands))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def as_xlsx(user, demands: Iterable[Demand], filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Nhu cau")
    sheet.append(HEADERS)
    for row in rows(user, demands):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
