"""XLSX reports: the connection pipeline and a yearly summary per province.

Headers are Vietnamese, as in the demands export; every row comes from the querysets the
permission module scopes (staff: their province; the national unit: all provinces). Text cells
go through `demands.exporting.safe_cell`, so a value starting with = + - @ never runs as a formula.
"""

from __future__ import annotations

import io

from django.db.models import Aggregate, CharField, Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from accounts import permissions
from connections.models import Agreement, Meeting, Message
from demands.exporting import XLSX_TYPE, safe_cell
from demands.models import Demand
from demands.selectors import demands_visible_to
from insights.selectors import report_provinces_visible_to
from matching.models import Match
from matching.selectors import matches_visible_to
from portal import xlsx

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
    "Phải đăng ký hợp đồng CGCN",
    "Số giấy chứng nhận đăng ký",
    "Ngày đăng ký",
    "Múi giờ cuộc gặp",
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


class MeetingZones(Aggregate):
    """The distinct time zones of a match's meetings in one text (PostgreSQL's STRING_AGG,
    SQLite's GROUP_CONCAT: separators differ, `_zones` writes them one way)."""

    function = "STRING_AGG"
    template = "%(function)s(DISTINCT %(expressions)s, ',' ORDER BY %(expressions)s)"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(DISTINCT %(expressions)s)",
            **extra_context,
        )


def _zones(value: str | None) -> str | None:
    return ", ".join(sorted(set(value.split(",")))) if value else None


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Có" if value else "Không")


# What the sheet reads of each match: plain values from one query, no model instances.
PIPELINE_VALUES = (
    "pk",
    "status",
    "score",
    "introduced_at",
    "demand_id",
    "demand__title",
    "demand__province__name_vi",
    "demand__organization__name",
    # What demand.view_identity reads (demands/rules.py), to ask it without loading demands.
    "demand__organization_id",
    "demand__province_id",
    "demand__status",
    "demand__visibility",
    "offer_id",
    "offer__title",
    "offer__provider_name",
    "offer__provider_country",
    "offer__representation__name",
    "agreement__kind",
    "agreement__value_vnd",
    "agreement__signed_on",
    "meeting_count",
    "last_meeting",
    "message_count",
    "last_message_at",
    "agreement__registration_required",
    "agreement__registration_number",
    "agreement__registered_on",
    "meeting_zones",
)


def pipeline_matches(user):
    """Every match of the user's scope that staff introduced, as the values the sheet shows:
    one query, meetings counted by subqueries (a GROUP BY over six joined tables' columns
    sorted on disk at national scale), the introduced pairs found by their partial index."""
    meetings = Meeting.objects.filter(match_id=OuterRef("pk")).order_by().values("match_id")
    return (
        figures.introduced(matches_visible_to(user))
        .annotate(
            meeting_count=Coalesce(Subquery(meetings.annotate(n=Count("id")).values("n")), 0),
            last_meeting=Subquery(meetings.annotate(last=Max("starts_at")).values("last")),
            meeting_zones=Subquery(meetings.annotate(z=MeetingZones("timezone")).values("z")),
        )
        .annotate(**_thread_activity())
        .order_by("demand__province__name_vi", "-introduced_at", "id")
        .values(*PIPELINE_VALUES)
    )


def _identity_shown(user):
    """demand.view_identity for a row's demand, asked once per distinct combination of the
    fields the rule reads (demands/rules.py: firm, province, status, visibility), of a demand
    holding only those: a rule and a model per row were half the national sheet's time."""
    answers: dict[tuple, bool] = {}

    def shown(row: dict) -> bool:
        key = (
            row["demand__organization_id"],
            row["demand__province_id"],
            row["demand__status"],
            row["demand__visibility"],
        )
        if key not in answers:
            demand = Demand(
                organization_id=key[0],
                province_id=key[1],
                status=key[2],
                visibility=key[3],
            )
            answers[key] = permissions.can(user, "demand.view_identity", demand)
        return answers[key]

    return shown


def pipeline_rows(user):
    """The sheet's rows in one pass over the query (labels translated once per file)."""
    statuses = {value: str(label) for value, label in Match.Status.choices}
    kinds = {value: str(label) for value, label in Agreement.Kind.choices}
    identity_shown = _identity_shown(user)
    for row in pipeline_matches(user).iterator(chunk_size=2000):
        shows = identity_shown(row)
        yield [
            safe_cell(v)
            for v in (
                row["pk"],
                row["demand_id"],
                row["demand__title"],
                row["demand__province__name_vi"],
                row["demand__organization__name"] if shows else "",
                row["offer_id"],
                row["offer__title"],
                row["offer__provider_name"],
                row["offer__provider_country"],
                row["offer__representation__name"],
                round(row["score"], 3),
                statuses[row["status"]],
                _local(row["introduced_at"]),
                row["meeting_count"],
                _local(row["last_meeting"]),
                kinds.get(row["agreement__kind"]),
                row["agreement__value_vnd"],
                row["agreement__signed_on"],
                row["message_count"],
                _local(row["last_message_at"]),
                _yes_no(row["agreement__registration_required"]),
                row["agreement__registration_number"] or None,
                row["agreement__registered_on"],
                _zones(row["meeting_zones"]),
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
    """The pipeline sheet, written by portal/xlsx.py (one string per row: openpyxl's write-only
    mode spent ~17 µs a cell, half a second for the national sheet)."""
    stamp = timezone.localdate().isoformat()
    content = xlsx.workbook_bytes("Ket noi", [PIPELINE_HEADERS, *pipeline_rows(user)])
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="ket-noi-{stamp}.xlsx"'
    return response


def yearly_xlsx(user, year: int) -> HttpResponse:
    return workbook_response(
        f"Tong hop {year}", YEARLY_HEADERS, yearly_rows(user, year), f"tong-hop-{year}"
    )
