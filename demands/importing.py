"""Survey spreadsheets (XLSX or CSV): parse, preview every row's errors, then write all or nothing.

A row is keyed by enterprise tax code + title + campaign: a row whose demand exists already
is skipped, so uploading the same file twice creates nothing new. Unknown tax codes create
the enterprise in pending state in the staff member's province.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from openpyxl import Workbook, load_workbook

from accounts import permissions
from accounts.models import Organization, User, tax_code_validator
from portal.models import CooperationType, Field, TechnologyReadinessLevel
from portal.text import fold, normalize_text

from . import services
from .models import Demand, DemandEvent, SurveyCampaign, Visibility

MAX_ROWS = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# key, Vietnamese header (the template's), required, what it holds (shown on the import page)
COLUMNS = [
    ("tax_code", "Mã số thuế", True, gettext_lazy("10 digits (or 10-3 for a branch). Example: 4600100001")),
    ("enterprise_name", "Tên doanh nghiệp", False, gettext_lazy("Needed when the enterprise is not registered yet.")),
    ("enterprise_email", "Email doanh nghiệp", False, gettext_lazy("Contact email of a new enterprise.")),
    ("title", "Tên nhu cầu", True, gettext_lazy("One line. Example: Dây chuyền héo và vò chè tự động")),
    ("problem", "Vấn đề cần giải quyết", False, gettext_lazy("Free text.")),
    ("current_situation", "Hiện trạng công nghệ", False, gettext_lazy("Free text.")),
    ("expected_result", "Kết quả mong muốn và thông số kỹ thuật", False, gettext_lazy("Free text.")),
    ("fields", "Lĩnh vực KH&CN", False, gettext_lazy("1 to 3 codes separated by ';'. Example: 2.11; 4.01")),
    ("keywords", "Từ khóa", False, gettext_lazy("Separated by commas.")),
    ("cooperation", "Hình thức hợp tác", False, gettext_lazy("Codes separated by ';': license, technology_transfer, joint_venture, equipment_purchase, technical_cooperation, training, consulting, research_cooperation")),
    ("trl_min", "TRL tối thiểu", False, gettext_lazy("A whole number from 1 to 9.")),
    ("budget_min_vnd", "Kinh phí từ (VNĐ)", False, gettext_lazy("Digits only. Example: 500000000")),
    ("budget_max_vnd", "Kinh phí đến (VNĐ)", False, gettext_lazy("Digits only. Example: 2000000000")),
    ("wanted_by", "Thời hạn cần", False, gettext_lazy("A date: 2026-12-31 or 31/12/2026.")),
    ("preferred_countries", "Quốc gia ưu tiên", False, gettext_lazy("Two-letter codes separated by ';'. Example: JP; KR")),
    ("visibility", "Chế độ hiển thị", False, gettext_lazy("public, anonymised (default) or confidential.")),
]
REQUIRED = {key for key, _h, required, _help in COLUMNS if required}
EXAMPLE_ROW = [
    "4600100001", "Công ty Cổ phần Chè Tân Cương Hoàng Bình", "lienhe@chetancuong.vn",
    "Dây chuyền làm héo và vò chè xanh tự động",
    "Làm héo thủ công mất 12 giờ, chất lượng không đồng đều giữa các mẻ.",
    "Hai máy sấy thùng quay (2015), vò chè thủ công.",
    "Công suất 2 tấn chè búp tươi/ngày, độ ẩm thành phẩm dưới 5%.",
    "2.11; 4.01", "chè xanh, làm héo, vò chè", "equipment_purchase; training", "8",
    "500000000", "2000000000", "2026-12-31", "JP; KR", "anonymised",
]


def _header_key(text: Any) -> str | None:
    folded = fold(str(text or "")).strip()
    for key, header, _required, _help in COLUMNS:
        if folded in (key, fold(header)):
            return key
    return None


@dataclass
class Row:
    number: int  # as the spreadsheet shows it (the header is row 1)
    raw: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    organization: Organization | None = None
    new_enterprise: bool = False
    exists: bool = False

    @property
    def title(self) -> str:
        return str(self.raw.get("title") or "")

    @property
    def tax_code(self) -> str:
        return _text(self.raw.get("tax_code"))


@dataclass
class Preview:
    rows: list[Row]
    errors: list[str] = field(default_factory=list)  # file-level

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.errors for row in self.rows)

    @property
    def to_create(self) -> list[Row]:
        return [row for row in self.rows if not row.errors and not row.exists]

    @property
    def already_there(self) -> int:
        return sum(1 for row in self.rows if row.exists)

    @property
    def error_rows(self) -> list[Row]:
        return [row for row in self.rows if row.errors]


# --- reading ---------------------------------------------------------------------------------


def read_table(content: bytes, filename: str) -> list[list[Any]]:
    """All rows of the first sheet (or the CSV), as lists of cell values."""
    if filename.lower().endswith(".csv"):
        text = content.decode("utf-8-sig", errors="replace")
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        return [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    finally:
        workbook.close()


def parse(content: bytes, filename: str) -> tuple[list[Row], list[str]]:
    try:
        table = read_table(content, filename)
    except Exception:  # a broken zip, not a workbook, undecodable CSV: one clear message
        return [], [_("The file could not be read as XLSX or CSV.")]
    if not table:
        return [], [_("The file is empty.")]
    keys = [_header_key(cell) for cell in table[0]]
    missing = REQUIRED - set(keys)
    if missing:
        names = ", ".join(h for k, h, _r, _help in COLUMNS if k in missing)
        return [], [_("Missing columns: %(names)s. Start from the template.") % {"names": names}]
    rows = []
    for index, values in enumerate(table[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        raw = {key: value for key, value in zip(keys, values, strict=False) if key}
        rows.append(Row(number=index, raw=raw))
    if len(rows) > MAX_ROWS:
        return [], [_("At most %(n)d rows per file.") % {"n": MAX_ROWS}]
    if not rows:
        return [], [_("The file has no rows under the header.")]
    return rows, []


# --- checking --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _codes(value: Any) -> list[str]:
    return [p.strip() for p in _text(value).replace(",", ";").split(";") if p.strip()]


def _amount(row: Row, key: str, label: str) -> int | None:
    value = _text(row.raw.get(key)).replace(".", "").replace(",", "").replace(" ", "")
    if not value:
        return None
    if not value.isdigit():
        row.errors.append(_("%(col)s: write digits only.") % {"col": label})
        return None
    return int(value)


def _date(row: Row, value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(_text(value), fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    row.errors.append(_("Thời hạn cần: not a date (use 2026-12-31 or 31/12/2026)."))
    return None


class _Reference:
    def __init__(self):
        self.fields = set(Field.objects.filter(parent__isnull=False).values_list("code", flat=True))
        self.cooperation = {}
        for code, vi, en in CooperationType.objects.values_list("code", "name_vi", "name_en"):
            for name in (code, vi, en):
                self.cooperation[fold(name)] = code
        self.trl = set(TechnologyReadinessLevel.objects.values_list("level", flat=True))
        self.visibility = {fold(str(label)).split(":")[0]: value
                           for value, label in Visibility.choices}
        self.visibility.update({value: value for value in Visibility.values})
        self.visibility.update({"cong khai": "public", "an danh": "anonymised", "bao mat": "confidential"})


def _check_row(row: Row, ref: _Reference) -> None:
    data: dict[str, Any] = {}
    tax_code = _text(row.raw.get("tax_code"))
    try:
        tax_code_validator(tax_code)
    except ValidationError:
        row.errors.append(_("Mã số thuế: %(v)s is not a tax code (10 digits, or 10-3).")
                          % {"v": tax_code or "-"})
    title = normalize_text(_text(row.raw.get("title")))
    if not title:
        row.errors.append(_("Tên nhu cầu: required."))
    elif len(title) > 255:
        row.errors.append(_("Tên nhu cầu: at most 255 characters."))
    data["title"] = title
    for key in ("problem", "current_situation", "expected_result", "keywords"):
        data[key] = _text(row.raw.get(key))
    codes = _codes(row.raw.get("fields"))
    unknown = [c for c in codes if c not in ref.fields]
    if unknown:
        row.errors.append(_("Lĩnh vực KH&CN: unknown codes %(c)s.") % {"c": ", ".join(unknown)})
    if len(codes) > 3:
        row.errors.append(_("Lĩnh vực KH&CN: at most 3 fields."))
    data["fields"] = codes
    coop = []
    for name in _codes(row.raw.get("cooperation")):
        code = ref.cooperation.get(fold(name))
        if code is None:
            row.errors.append(_("Hình thức hợp tác: unknown value %(v)s.") % {"v": name})
        else:
            coop.append(code)
    data["cooperation"] = coop
    trl = _text(row.raw.get("trl_min"))
    data["trl_min"] = None
    if trl:
        if not trl.isdigit() or int(trl) not in ref.trl:
            row.errors.append(_("TRL tối thiểu: a whole number from 1 to 9."))
        else:
            data["trl_min"] = int(trl)
    data["budget_min_vnd"] = _amount(row, "budget_min_vnd", "Kinh phí từ (VNĐ)")
    data["budget_max_vnd"] = _amount(row, "budget_max_vnd", "Kinh phí đến (VNĐ)")
    if None not in (data["budget_min_vnd"], data["budget_max_vnd"]) \
            and data["budget_max_vnd"] < data["budget_min_vnd"]:
        row.errors.append(_("Kinh phí: the upper bound is below the lower bound."))
    data["wanted_by"] = _date(row, row.raw.get("wanted_by"))
    country_codes = [c.upper() for c in _codes(row.raw.get("preferred_countries"))]
    bad = [c for c in country_codes if c not in countries]
    if bad:
        row.errors.append(_("Quốc gia ưu tiên: unknown codes %(c)s.") % {"c": ", ".join(bad)})
    data["preferred_countries"] = [c for c in country_codes if c in countries]
    visibility = _text(row.raw.get("visibility"))
    data["visibility"] = ref.visibility.get(fold(visibility), None) if visibility else "anonymised"
    if data["visibility"] is None:
        row.errors.append(_("Chế độ hiển thị: public, anonymised or confidential."))
    row.data = data


def preview(*, by: User, content: bytes, filename: str,
            campaign: SurveyCampaign | None) -> Preview:
    """Check every row without writing anything."""
    rows, errors = parse(content, filename)
    if errors:
        return Preview(rows=[], errors=errors)
    ref = _Reference()
    for row in rows:
        _check_row(row, ref)
    tax_codes = {row.tax_code for row in rows}
    organizations = {o.tax_code: o for o in Organization.objects.filter(tax_code__in=tax_codes)}
    existing = set(
        Demand.objects.filter(organization__tax_code__in=tax_codes, campaign=campaign)
        .values_list("organization__tax_code", "title")
    )
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        title = row.data.get("title", "")
        organization = organizations.get(row.tax_code)
        if organization is None:
            row.new_enterprise = True
            if not _text(row.raw.get("enterprise_name")):
                row.errors.append(_("Tên doanh nghiệp: required for an enterprise that is not "
                                    "registered yet."))
        elif organization.kind not in (Organization.Kind.ENTERPRISE,
                                       Organization.Kind.RESEARCH_INSTITUTE) \
                or organization.province_id != by.province_id:
            row.errors.append(_("Mã số thuế: this tax code belongs to an organisation outside "
                                "your province."))
        row.organization = organization
        key = (row.tax_code, title)
        if key in seen:
            row.errors.append(_("The same enterprise and title as row %(n)d.") % {"n": seen[key]})
        seen.setdefault(key, row.number)
        row.exists = key in existing
    return Preview(rows=rows)


@transaction.atomic
def demands_import(*, by: User, content: bytes, filename: str,
                   campaign: SurveyCampaign | None) -> Preview:
    """Write every new row, or nothing if any row has an error. Returns what was checked."""
    permissions.require(by, "demand.import")
    if campaign is not None:
        permissions.require(by, "campaign.manage", campaign)
    result = preview(by=by, content=content, filename=filename, campaign=campaign)
    if result.has_errors:
        raise ValidationError(_("The file has errors; nothing was imported."))
    now = timezone.now()
    created_orgs: dict[str, Organization] = {}
    for row in result.to_create:
        organization = row.organization or created_orgs.get(row.tax_code)
        if organization is None:
            organization = Organization.objects.create(
                kind=Organization.Kind.ENTERPRISE, tax_code=row.tax_code,
                name=normalize_text(_text(row.raw.get("enterprise_name")))[:255],
                contact_email=_text(row.raw.get("enterprise_email"))[:254],
                province_id=by.province_id, status=Organization.Status.PENDING,
            )
            created_orgs[row.tax_code] = organization
        demand = Demand(organization=organization, province_id=organization.province_id,
                        campaign=campaign, created_by=by, status=Demand.Status.SUBMITTED,
                        submitted_at=now)
        data = dict(row.data)
        data["trl_min"] = (TechnologyReadinessLevel(level=data["trl_min"])
                           if data["trl_min"] else None)
        m2m = services._apply(demand, data)
        demand.save()
        for name, values in m2m.items():
            getattr(demand, name).set(values)
        DemandEvent.objects.create(demand=demand, actor=by, from_status="",
                                   to_status=demand.status,
                                   note=_("Imported from a survey spreadsheet."))
    return result


def template_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Nhu cau"
    sheet.append([header for _k, header, _r, _h in COLUMNS])
    sheet.append(EXAMPLE_ROW)
    guide = workbook.create_sheet("Huong dan")
    guide.append(["Cột", "Bắt buộc", "Nội dung"])
    for _key, header, required, help_text in COLUMNS:
        guide.append([header, "x" if required else "", str(help_text)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for _k, header, _r, _h in COLUMNS])
    writer.writerow(EXAMPLE_ROW)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
