"""XLSX reports: the connection pipeline and a yearly summary per province.

Headers are Vietnamese, as in the demands export; every row comes from the querysets the
permission module scopes (staff: their province; the national unit: all provinces). Text cells
go through `demands.exporting.safe_cell`, so a value starting with = + - @ never runs as a formula.
"""

from __future__ import annotations

import io

from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from accounts import permissions
from connections.models import Message
from demands.exporting import XLSX_TYPE, safe_cell
from demands.selectors import demands_visible_to
from insights.selectors import report_provinces_visible_to
from matching.selectors import matches_visible_to

from . import figures, snapshots

PIPELINE_HEADERS = [
    "Mã kết nối",
    "Mã nhu cầu",
    "Tên nhu cầu",
    "Tỉnh/thành phố",
    "Doanh nghiệp",
    "Mã công nghệ",
    "Tên công nghệ",
    "Nhà cung cấp",
    "Quốc gia nhà cung cấp",
    "Cơ quan đại diện",
    "Điểm phù hợp",
    "Trạng thái",
    "Ngày giới thiệu",
    "Số cuộc gặp",
    "Cuộc gặp gần nhất",
    "Loại thỏa thuận",
    "Giá trị thỏa thuận (VNĐ)",
    "Ngày ký",
    "Số tin nhắn",
    "Tin nhắn gần nhất",
]
YEARLY_HEADERS = [
    "Tỉnh/thành phố",
    "Số nhu cầu công bố",
    "Số công nghệ đáp ứng",
    "Số lượt giới thiệu",
    "Số cuộc gặp",
    "Số thỏa thuận",
    "Giá trị thỏa thuận (VNĐ)",
]
YEARLY_AS_OF = "Số liệu tính lúc %H:%M ngày %d/%m/%Y"
YEARLY_KEYS = [
    "province",
    "demands",
    "offers",
    "introductions",
    "meetings",
    "agreements",
    "agreement_value",
]


def _local(value):
    """Excel has no time zones: write the portal's local time, naive."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _thread_activity() -> dict:
    """Each match's thread: messages not hidden and the last one's date, as subqueries of the
    sheet's one query (a join would multiply the meeting count)."""
    shown = Message.objects.filter(match_id=OuterRef("pk"), hidden_at__isnull=True)
    shown = shown.order_by().values("match_id")
    return {
        "message_count": Coalesce(Subquery(shown.annotate(n=Count("id")).values("n")), 0),
        "last_message_at": Subquery(shown.annotate(last=Max("created_at")).values("last")),
    }


def pipeline_matches(user):
    """Every match of the user's scope that staff introduced, with what the sheet shows."""
    return (
        figures.introduced(matches_visible_to(user))
        .select_related(
            "demand",
            "demand__province",
            "demand__organization",
            "offer",
            "offer__representation",
            "agreement",
        )
        .annotate(meeting_count=Count("meetings"), last_meeting=Max("meetings__starts_at"))
        .annotate(**_thread_activity())
        .order_by("demand__province__name_vi", "-introduced_at", "id")
    )


def pipeline_rows(user):
    for match in pipeline_matches(user).iterator(chunk_size=2000):
        demand, offer = match.demand, match.offer
        agreement = getattr(match, "agreement", None)
        shows = permissions.can(user, "demand.view_identity", demand)
        yield [
            safe_cell(v)
            for v in (
                match.pk,
                demand.pk,
                demand.title,
                demand.province.name_vi,
                demand.organization.name if shows else "",
                offer.pk,
                offer.title,
                offer.provider_name,
                offer.provider_country.code,
                offer.representation.name,
                round(match.score, 3),
                match.get_status_display(),
                _local(match.introduced_at),
                match.meeting_count,
                _local(match.last_meeting),
                agreement.get_kind_display() if agreement else None,
                agreement.value_vnd if agreement else None,
                agreement.signed_on if agreement else None,
                match.message_count,
                _local(match.last_message_at),
            )
        ]


def yearly_rows(user, year: int) -> list[list]:
    """A row per province of the user's scope and their total, kept a few minutes per scope
    as the dashboards' figures are (insights/snapshots.py); the last row says when the
    figures were computed."""

    def compute() -> list[list]:
        provinces = report_provinces_visible_to(user)
        demands = demands_visible_to(user).filter(province__in=provinces)
        matches = matches_visible_to(user).filter(demand__province__in=provinces)
        rows = figures.yearly_by_province(provinces, demands, matches, year)
        table = [[safe_cell(row[key]) for key in YEARLY_KEYS] for row in rows]
        if len(rows) > 1:
            total = (sum(row[key] for row in rows) for key in YEARLY_KEYS[1:])
            table.append(["Tổng cộng", *total])
        return table

    table, at = snapshots.cached(snapshots.scope_of(user), f"yearly:{year}", compute)
    return [*table, [timezone.localtime(at).strftime(YEARLY_AS_OF)]]


def workbook_response(sheet_name: str, headers: list[str], rows, filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def pipeline_xlsx(user) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    return workbook_response("Ket noi", PIPELINE_HEADERS, pipeline_rows(user), f"ket-noi-{stamp}")


def yearly_xlsx(user, year: int) -> HttpResponse:
    return workbook_response(
        f"Tong hop {year}", YEARLY_HEADERS, yearly_rows(user, year), f"tong-hop-{year}"
    )
