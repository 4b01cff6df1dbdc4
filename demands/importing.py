"""Survey spreadsheets (XLSX or CSV): preview every row's errors, then write all or nothing.

A row is keyed by enterprise tax code + title + campaign: a row whose demand exists already
is skipped, so uploading the same file twice creates nothing new. Unknown tax codes create
the enterprise in pending state in the staff member's province. Reading, the row cap, the
header check and the pending file are portal/importing.py's; here the columns, the row form
and what is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import Workbook

from accounts import permissions
from accounts.models import Organization, User, tax_code_validator
from portal.importing import XLSX_TYPE, Column, FileRefused, Preview, Row, read_rows
from portal.models import CooperationType, Field, TechnologyReadinessLevel
from portal.text import fold, normalize_text

from . import services
from .forms import MAX_FIELDS, VNDField
from .models import Demand, DemandEvent, SurveyCampaign, Visibility

__all__ = ["COLUMNS", "EXAMPLE_ROW", "XLSX_TYPE", "demands_import", "preview"]

# key, Vietnamese header (the template's), required, what it holds (shown on the import page)
COLUMNS = [
    Column(
        "tax_code",
        "Mã số thuế",
        True,
        gettext_lazy("10 digits (or 10-3 for a branch). Example: 4600100001"),
    ),
    Column(
        "enterprise_name",
        "Tên doanh nghiệp",
        False,
        gettext_lazy("Needed when the enterprise is not registered yet."),
    ),
    Column(
        "enterprise_email",
        "Email doanh nghiệp",
        False,
        gettext_lazy("Contact email of a new enterprise."),
    ),
    Column(
        "title",
        "Tên nhu cầu",
        True,
        gettext_lazy("One line. Example: Dây chuyền héo và vò chè tự động"),
    ),
    Column("problem", "Vấn đề cần giải quyết", False, gettext_lazy("Free text.")),
    Column("current_situation", "Hiện trạng công nghệ", False, gettext_lazy("Free text.")),
    Column(
        "expected_result",
        "Kết quả mong muốn và thông số kỹ thuật",
        False,
        gettext_lazy("Free text."),
    ),
    Column(
        "fields",
        "Lĩnh vực KH&CN",
        False,
        gettext_lazy("1 to 3 codes separated by ';'. Example: 2.11; 4.01"),
    ),
    Column("keywords", "Từ khóa", False, gettext_lazy("Separated by commas.")),
    Column(
        "cooperation",
        "Hình thức hợp tác",
        False,
        lazy(lambda: _cooperation_help(), str)(),
    ),
    Column("trl_min", "TRL tối thiểu", False, gettext_lazy("A whole number from 1 to 9.")),
    Column(
        "budget_min_vnd",
        "Kinh phí từ (VNĐ)",
        False,
        gettext_lazy("Digits only. Example: 500000000"),
    ),
    Column(
        "budget_max_vnd",
        "Kinh phí đến (VNĐ)",
        False,
        gettext_lazy("Digits only. Example: 2000000000"),
    ),
    Column("wanted_by", "Thời hạn cần", False, gettext_lazy("A date: 2026-12-31 or 31/12/2026.")),
    Column(
        "preferred_countries",
        "Quốc gia ưu tiên",
        False,
        gettext_lazy("Two-letter codes separated by ';'. Example: JP; KR"),
    ),
    Column(
        "visibility",
        "Chế độ hiển thị",
        False,
        gettext_lazy(
            "công khai (public), ẩn danh (anonymised, the default) or bảo mật (confidential)."
        ),
    ),
]
HEADER = {column.key: column.header for column in COLUMNS}
EXAMPLE_ROW = [
    "4600100001",
    "Công ty Cổ phần Chè Tân Cương Hoàng Bình",
    "lienhe@chetancuong.vn",
    "Dây chuyền làm héo và vò chè xanh tự động",
    "Làm héo thủ công mất 12 giờ, chất lượng không đồng đều giữa các mẻ.",
    "Hai máy sấy thùng quay (2015), vò chè thủ công.",
    "Công suất 2 tấn chè búp tươi/ngày, độ ẩm thành phẩm dưới 5%.",
    "2.11; 4.01",
    "chè xanh, làm héo, vò chè",
    "Mua thiết bị; Đào tạo",
    "8",
    "500000000",
    "2000000000",
    "2026-12-31",
    "JP; KR",
    "ẩn danh",
]
DEMAND_FIELDS = (
    "title",
    "problem",
    "current_situation",
    "expected_result",
    "fields",
    "keywords",
    "cooperation",
    "trl_min",
    "budget_min_vnd",
    "budget_max_vnd",
    "wanted_by",
    "preferred_countries",
    "visibility",
)


def _cooperation_help() -> str:
    """The cooperation column takes the names of the reader's language or the codes."""
    name = "name_vi" if get_language().startswith("vi") else "name_en"
    choices = CooperationType.objects.order_by("pk").values_list(name, "code")
    return _("Names or codes separated by ';': %(choices)s") % {
        "choices": "; ".join(f"{label} ({code})" for label, code in choices)
    }


def _codes(value: str) -> list[str]:
    return [p.strip() for p in (value or "").replace(",", ";").split(";") if p.strip()]


def _text_field(name: str) -> forms.CharField:
    return forms.CharField(required=False, max_length=Demand._meta.get_field(name).max_length)


def _reference() -> dict:
    cooperation = {}
    for code, vi, en in CooperationType.objects.values_list("code", "name_vi", "name_en"):
        for name in (code, vi, en):
            cooperation[fold(name)] = code
    visibility = {fold(str(label)).split(":")[0]: value for value, label in Visibility.choices}
    visibility.update({value: value for value in Visibility.values})
    visibility.update({"cong khai": "public", "an danh": "anonymised", "bao mat": "confidential"})
    return {
        "fields": set(Field.objects.filter(parent__isnull=False).values_list("code", flat=True)),
        "cooperation": cooperation,
        "visibility": visibility,
    }


class RowForm(forms.Form):
    """One survey answer, checked the way the demand form checks it."""

    tax_code = forms.CharField(max_length=14, validators=[tax_code_validator])
    enterprise_name = forms.CharField(max_length=255, required=False)
    enterprise_email = forms.EmailField(max_length=254, required=False)
    title = forms.CharField(max_length=Demand._meta.get_field("title").max_length)
    problem = _text_field("problem")
    current_situation = _text_field("current_situation")
    expected_result = _text_field("expected_result")
    fields = forms.CharField(required=False)
    keywords = _text_field("keywords")
    cooperation = forms.CharField(required=False)
    trl_min = forms.IntegerField(min_value=1, max_value=9, required=False)
    budget_min_vnd = VNDField(required=False)
    budget_max_vnd = VNDField(required=False)
    wanted_by = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"])
    preferred_countries = forms.CharField(required=False)
    visibility = forms.CharField(required=False)

    def __init__(self, *args, reference: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference = reference

    @staticmethod
    def _unknown(codes: list[str]) -> forms.ValidationError:
        return forms.ValidationError(
            _("Unknown codes: %(codes)s"), params={"codes": ", ".join(codes)}
        )

    def clean_title(self):
        title = normalize_text(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(self.fields["title"].error_messages["required"])
        return title

    def clean_fields(self):
        codes = list(dict.fromkeys(_codes(self.cleaned_data["fields"])))
        unknown = [c for c in codes if c not in self.reference["fields"]]
        if unknown:
            raise self._unknown(unknown)
        if len(codes) > MAX_FIELDS:
            raise forms.ValidationError(_("At most three fields."))
        return codes

    def clean_cooperation(self):
        names = _codes(self.cleaned_data["cooperation"])
        unknown = [n for n in names if fold(n) not in self.reference["cooperation"]]
        if unknown:
            raise self._unknown(unknown)
        return list(dict.fromkeys(self.reference["cooperation"][fold(n)] for n in names))

    def clean_preferred_countries(self):
        codes = [c.upper() for c in _codes(self.cleaned_data["preferred_countries"])]
        unknown = [c for c in codes if c not in countries]
        if unknown:
            raise self._unknown(unknown)
        return codes

    def clean_visibility(self):
        value = fold(self.cleaned_data["visibility"])
        if not value:
            return Visibility.ANONYMISED.value
        if value not in self.reference["visibility"]:
            raise forms.ValidationError(
                _("Write công khai, ẩn danh or bảo mật (public, anonymised or confidential).")
            )
        return self.reference["visibility"][value]

    def clean(self):
        low, high = self.cleaned_data.get("budget_min_vnd"), self.cleaned_data.get("budget_max_vnd")
        if low is not None and high is not None and high < low:
            self.add_error("budget_max_vnd", _("The upper bound is below the lower bound."))
        return self.cleaned_data


@dataclass
class DemandRow(Row):
    organization: Organization | None = None
    new_enterprise: bool = False
    exists: bool = False

    @property
    def title(self) -> str:
        return self.data.get("title") or self.values.get("title", "")

    @property
    def tax_code(self) -> str:
        return self.values.get("tax_code", "").strip()


@dataclass
class DemandPreview(Preview):
    @property
    def to_create(self) -> list[DemandRow]:
        return [row for row in self.rows if not row.errors and not row.exists]

    @property
    def already_there(self) -> int:
        return sum(1 for row in self.rows if row.exists)


def preview(
    *, by: User, content: bytes, filename: str, campaign: SurveyCampaign | None
) -> DemandPreview:
    """Check every row without writing anything."""
    try:
        table = read_rows(content, filename, COLUMNS)
    except FileRefused as error:
        return DemandPreview.refused(error)
    reference = _reference()
    rows = [DemandRow(line=line, values=values) for line, values in table]
    for row in rows:
        row.check(RowForm(row.values, reference=reference), COLUMNS)
    tax_codes = {row.tax_code for row in rows}
    organizations = {o.tax_code: o for o in Organization.objects.filter(tax_code__in=tax_codes)}
    existing = set(
        Demand.objects.filter(organization__tax_code__in=tax_codes, campaign=campaign).values_list(
            "organization__tax_code", "title"
        )
    )
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        organization = organizations.get(row.tax_code)
        if organization is None:
            row.new_enterprise = True
            if not row.values.get("enterprise_name"):
                row.add_error(
                    HEADER["enterprise_name"],
                    _("Required for an enterprise that is not registered yet."),
                )
        elif (
            organization.kind
            not in (Organization.Kind.ENTERPRISE, Organization.Kind.RESEARCH_INSTITUTE)
            or organization.province_id != by.province_id
        ):
            row.add_error(
                HEADER["tax_code"],
                _("This tax code belongs to an organisation outside your province."),
            )
        row.organization = organization
        key = (row.tax_code, row.title)
        if key in seen:
            row.add_error(
                HEADER["title"], _("The same enterprise and title as row %(n)d.") % {"n": seen[key]}
            )
        seen.setdefault(key, row.line)
        row.exists = key in existing
    return DemandPreview(rows=rows)


@transaction.atomic
def demands_import(
    *, by: User, content: bytes, filename: str, campaign: SurveyCampaign | None
) -> DemandPreview:
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
                kind=Organization.Kind.ENTERPRISE,
                tax_code=row.tax_code,
                name=normalize_text(row.data["enterprise_name"]),
                contact_email=row.data["enterprise_email"],
                province_id=by.province_id,
                status=Organization.Status.PENDING,
            )
            created_orgs[row.tax_code] = organization
        demand = Demand(
            organization=organization,
            province_id=organization.province_id,
            campaign=campaign,
            created_by=by,
            status=Demand.Status.SUBMITTED,
            submitted_at=now,
        )
        data = {name: row.data[name] for name in DEMAND_FIELDS}
        data["trl_min"] = (
            TechnologyReadinessLevel(level=data["trl_min"]) if data["trl_min"] else None
        )
        m2m = services._apply(demand, data)
        demand.save()
        for name, values in m2m.items():
            getattr(demand, name).set(values)
        DemandEvent.objects.create(
            demand=demand,
            actor=by,
            from_status="",
            to_status=demand.status,
            note=_("Imported from a survey spreadsheet."),
        )
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
