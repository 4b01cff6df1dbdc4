"""CSV and XLSX of a scoped queryset of demands, with the portal's field names in Vietnamese.

The caller passes a queryset already scoped by `demands_visible_to`; rows the user may see only
anonymised lose the firm's name, tax code and contact here, as on the detail page.

Written for 20,000 rows: the demands are read as plain values (no model instances), their S&T
fields and cooperation types in one query per 2,000 demands, the choice labels translated once
per file, and the XLSX written by portal.xlsx (openpyxl spent ~0.5 ms a row). Measured figures:
demands/README.md... see docs/benchmarks.md, section "Pages".
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django_countries import countries

from accounts import permissions
from portal import xlsx

from .models import Demand

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
SHEET_NAME = "Nhu cau"
CHUNK = 2000  # demands read, and their many-to-many rows looked up, at a time

# (Vietnamese header, key of the row prepared by `_records`, carries the firm's identity)
COLUMNS: list[tuple[str, str, bool]] = [
    ("Mã nhu cầu", "id", False),
    ("Tên nhu cầu", "title", False),
    ("Trạng thái", "status_label", False),
    ("Tỉnh/thành phố", "province__name_vi", False),
    ("Doanh nghiệp", "organization__name", True),
    ("Mã số thuế", "organization__tax_code", True),
    ("Người liên hệ", "organization__contact_name", True),
    ("Email liên hệ", "organization__contact_email", True),
    ("Điện thoại", "organization__contact_phone", True),
    ("Vấn đề cần giải quyết", "problem", False),
    ("Hiện trạng công nghệ", "current_situation", False),
    ("Kết quả mong muốn và thông số kỹ thuật", "expected_result", False),
    ("Lĩnh vực KH&CN", "field_codes", False),
    ("Từ khóa", "keywords", False),
    ("Hình thức hợp tác", "cooperation_names", False),
    ("TRL tối thiểu", "trl_min_id", False),
    ("Kinh phí từ (VNĐ)", "budget_min_vnd", False),
    ("Kinh phí đến (VNĐ)", "budget_max_vnd", False),
    ("Thời hạn cần", "wanted_by", False),
    ("Quốc gia ưu tiên", "country_codes", False),
    ("Năng lực: nhân lực kỹ thuật", "capacity_staff_label", False),
    ("Năng lực: có mặt bằng", "has_space", False),
    ("Năng lực: khả năng đầu tư", "capacity_investment_label", False),
    ("Năng lực: ghi chú", "capacity_note", False),
    ("Chế độ hiển thị", "visibility", False),
    ("Ngôn ngữ", "language", False),
    ("Đợt khảo sát", "campaign__name", False),
    ("Ngày gửi", "submitted_local", False),
]
HEADERS = [header for header, _key, _identity in COLUMNS]

VALUES = (
    "id",
    "title",
    "status",
    "visibility",
    "organization_id",
    "province_id",
    "province__name_vi",
    "organization__name",
    "organization__tax_code",
    "organization__contact_name",
    "organization__contact_email",
    "organization__contact_phone",
    "problem",
    "current_situation",
    "expected_result",
    "keywords",
    "trl_min_id",
    "budget_min_vnd",
    "budget_max_vnd",
    "wanted_by",
    "preferred_countries",
    "capacity_staff",
    "capacity_has_space",
    "capacity_investment",
    "capacity_note",
    "language",
    "campaign__name",
    "submitted_at",
)


class DemandFacts:
    """What the `demand.view_identity` rule reads of a demand, without building the model.

    A rule that starts reading another attribute fails here loudly (AttributeError), never
    silently with a default value."""

    __slots__ = ("organization_id", "province_id", "status", "visibility")

    def __init__(self, row: dict):
        self.organization_id = row["organization_id"]
        self.province_id = row["province_id"]
        self.status = row["status"]
        self.visibility = row["visibility"]


def safe_cell(value):
    """Dates and numbers stay typed; text starting with = + - @ would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | datetime.date):
        return value
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _labels(choices) -> dict[str, str]:
    # Translated once per file (get_FOO_display() rebuilds its dict on every call).
    return {value: str(label) for value, label in choices}


def _many_to_many(ids: list[int]) -> tuple[dict, dict]:
    """Each demand's S&T field codes and cooperation names, in the models' own order."""
    fields: dict[int, list[str]] = defaultdict(list)
    through = Demand.fields.through.objects.filter(demand_id__in=ids)
    for demand_id, code in through.order_by("demand_id", "field_id").values_list(
        "demand_id", "field_id"
    ):
        fields[demand_id].append(code)
    cooperation: dict[int, list[str]] = defaultdict(list)
    through = Demand.cooperation.through.objects.filter(demand_id__in=ids)
    for demand_id, name in through.order_by(
        "demand_id", "cooperationtype__position", "cooperationtype_id"
    ).values_list("demand_id", "cooperationtype__name_vi"):
        cooperation[demand_id].append(name)
    return fields, cooperation


def _records(demands: QuerySet) -> Iterator[dict]:
    """The demands as dicts holding every column's value (see COLUMNS), CHUNK at a time."""
    status = _labels(Demand.Status.choices)
    staff = _labels(Demand.StaffCapacity.choices)
    investment = _labels(Demand.Investment.choices)
    alpha2: dict[str, str] = {}
    queryset = demands.select_related(None).prefetch_related(None).values(*VALUES)
    chunk: list[dict] = []
    for row in queryset.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield from _complete(chunk, status, staff, investment, alpha2)
            chunk = []
    yield from _complete(chunk, status, staff, investment, alpha2)


def _complete(chunk, status, staff, investment, alpha2) -> list[dict]:
    if not chunk:
        return chunk
    fields, cooperation = _many_to_many([row["id"] for row in chunk])
    for row in chunk:
        row["status_label"] = status.get(row["status"], row["status"])
        row["field_codes"] = "; ".join(fields.get(row["id"], ()))
        row["cooperation_names"] = "; ".join(cooperation.get(row["id"], ()))
        codes = []
        for code in (row["preferred_countries"] or "").split(","):
            if code:
                if code not in alpha2:
                    alpha2[code] = countries.alpha2(code) or code
                codes.append(alpha2[code])
        row["country_codes"] = "; ".join(codes)
        row["capacity_staff_label"] = staff.get(row["capacity_staff"], row["capacity_staff"])
        row["capacity_investment_label"] = investment.get(
            row["capacity_investment"], row["capacity_investment"]
        )
        row["has_space"] = "có" if row["capacity_has_space"] else "không"
        submitted = row["submitted_at"]
        row["submitted_local"] = (
            timezone.localtime(submitted).replace(tzinfo=None) if submitted else None
        )
    return chunk


def rows(user, demands: QuerySet) -> Iterator[list]:
    """The header row, then one row per demand the way `user` may see it."""
    yield HEADERS
    for row in _records(demands):
        shows_identity = permissions.can(user, "demand.view_identity", DemandFacts(row))
        yield [
            safe_cell(row[key]) if (shows_identity or not identity) else ""
            for _header, key, identity in COLUMNS
        ]


def csv_bytes(table: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    csv.writer(buffer).writerows(table)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(table: Iterable[list]) -> bytes:
    return xlsx.workbook_bytes(SHEET_NAME, table)


WRITERS = {"csv": (csv_bytes, CSV_TYPE), "xlsx": (xlsx_bytes, XLSX_TYPE)}


def export_bytes(user, demands: QuerySet, fmt: str) -> bytes:
    """The file's content: the same whether written in the request or by the worker."""
    write, _content_type = WRITERS[fmt]
    return write(rows(user, demands))


def response(user, demands: QuerySet, fmt: str, filename: str) -> HttpResponse:
    answer = HttpResponse(export_bytes(user, demands, fmt), content_type=WRITERS[fmt][1])
    answer["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return answer


def as_csv(user, demands: QuerySet, filename: str) -> HttpResponse:
    return response(user, demands, "csv", filename)


def as_xlsx(user, demands: QuerySet, filename: str) -> HttpResponse:
    return response(user, demands, "xlsx", filename)
