"""Bulk import of offers from the CSV/XLSX template: preview with row errors, then all or nothing.

A row is keyed by (representation, provider name, external reference): importing the same file
twice changes nothing, and a corrected file updates the offers it names. Reading, the row cap,
the header check and the pending file are portal/importing.py's; here the columns, the row form
and what is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from openpyxl import Workbook

from accounts import permissions
from portal.importing import Column, FileRefused, Preview, Row, read_rows
from portal.models import CooperationType, Field, TechnologyReadinessLevel

from . import services
from .models import Offer

LIST_SEPARATOR = ";"

# column, required, help shown in the template's second sheet
COLUMNS = [
    Column(
        "external_ref",
        "external_ref",
        True,
        "Your own unique reference for the offer (used to update on re-import)",
    ),
    Column(
        "provider_name",
        "provider_name",
        True,
        "Company, university or institute offering the technology",
    ),
    Column(
        "provider_type", "provider_type", False, "company | university | research_institute | other"
    ),
    Column("provider_country", "provider_country", True, "Two-letter ISO code, e.g. JP"),
    Column("provider_website", "provider_website", False, "https://..."),
    Column("title", "title", True, "Title in the original language"),
    Column(
        "summary", "summary", False, "Summary in the original language (80+ characters to publish)"
    ),
    Column("title_vi", "title_vi", False, "Title in Vietnamese"),
    Column("summary_vi", "summary_vi", False, "Summary in Vietnamese"),
    Column("description", "description", False, "Full description"),
    Column(
        "advantages", "advantages", False, "Advantages and innovations (40+ characters to publish)"
    ),
    Column("applications", "applications", False, "Applications"),
    Column("fields", "fields", False, "1-3 S&T field codes separated by ';', e.g. 2.02;2.11"),
    Column("keywords", "keywords", False, "Keywords separated by commas"),
    Column("trl", "trl", False, "Technology readiness level 1-9"),
    Column("ip_status", "ip_status", False, "patent_granted | patent_pending | know_how | none"),
    Column("patent_numbers", "patent_numbers", False, "Patent or application numbers"),
    Column("cooperation", "cooperation", False, "Codes separated by ';': "),
    Column("terms", "terms", False, "Indicative terms"),
    Column("valid_until", "valid_until", False, "YYYY-MM-DD"),
    Column("source_url", "source_url", False, "Link to the source page"),
    Column(
        "publish",
        "publish",
        False,
        "yes to publish at once (the offer must be complete), else a draft",
    ),
]
COLUMN_NAMES = [column.key for column in COLUMNS]


def _text_field(name: str) -> forms.CharField:
    return forms.CharField(required=False, max_length=Offer._meta.get_field(name).max_length)


class RowForm(forms.Form):
    """One spreadsheet row, checked the way the offer form checks it."""

    external_ref = forms.CharField(max_length=100)
    provider_name = forms.CharField(max_length=255)
    provider_type = forms.ChoiceField(choices=Offer.ProviderType.choices, required=False)
    provider_country = forms.ChoiceField(choices=lambda: list(countries))
    provider_website = forms.URLField(required=False, max_length=200, assume_scheme="https")
    title = forms.CharField(max_length=255)
    summary = _text_field("summary")
    title_vi = forms.CharField(max_length=255, required=False)
    summary_vi = _text_field("summary_vi")
    description = _text_field("description")
    advantages = _text_field("advantages")
    applications = _text_field("applications")
    fields = forms.CharField(required=False)
    keywords = forms.CharField(max_length=300, required=False)
    trl = forms.IntegerField(min_value=1, max_value=9, required=False)
    ip_status = forms.ChoiceField(choices=[("", ""), *Offer.IPStatus.choices], required=False)
    patent_numbers = forms.CharField(max_length=300, required=False)
    cooperation = forms.CharField(required=False)
    terms = _text_field("terms")
    valid_until = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    source_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    publish = forms.CharField(required=False)

    def __init__(self, *args, reference: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference = reference

    def _codes(self, name: str, known: dict) -> list:
        codes = [c.strip() for c in (self.cleaned_data.get(name) or "").split(LIST_SEPARATOR)]
        codes = [c for c in codes if c]
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown codes: %(codes)s"), params={"codes": ", ".join(unknown)}
            )
        return [known[c] for c in dict.fromkeys(codes)]

    def clean_fields(self):
        chosen = self._codes("fields", self.reference["fields"])
        if len(chosen) > services.MAX_FIELDS:
            raise forms.ValidationError(_("At most three fields."))
        return chosen

    def clean_cooperation(self):
        return self._codes("cooperation", self.reference["cooperation"])

    def clean_trl(self):
        level = self.cleaned_data.get("trl")
        return self.reference["trl"].get(level) if level else None

    def clean_provider_type(self):
        return self.cleaned_data.get("provider_type") or Offer.ProviderType.COMPANY

    def clean_publish(self):
        value = (self.cleaned_data.get("publish") or "").strip().lower()
        if value not in ("", "yes", "no", "y", "n", "1", "0", "true", "false"):
            raise forms.ValidationError(_("Write yes or no."))
        return value in ("yes", "y", "1", "true")


@dataclass
class OfferRow(Row):
    action: str = ""  # create | update | unchanged
    offer: Offer | None = None

    @property
    def title(self) -> str:
        return self.values.get("title", "")

    @property
    def external_ref(self) -> str:
        return self.values.get("external_ref", "")


@dataclass
class OfferPreview(Preview):
    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def _reference() -> dict:
    return {
        "fields": {f.code: f for f in Field.objects.filter(parent__isnull=False)},
        "cooperation": {c.code: c for c in CooperationType.objects.all()},
        "trl": {t.level: t for t in TechnologyReadinessLevel.objects.all()},
    }


def _plain(value: Any) -> Any:
    """Model instances and countries as their keys, so a row compares with a stored offer."""
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "code"):
        return str(value.code or "")
    return value


def _comparable(offer: Offer) -> dict:
    return {
        **{name: getattr(offer, name) for name in services.TEXT_FIELDS},
        **{name: _plain(getattr(offer, name)) for name in services.PLAIN_FIELDS},
        "fields": sorted(f.pk for f in offer.fields.all()),
        "cooperation": sorted(c.pk for c in offer.cooperation.all()),
    }


def _wanted(data: dict) -> dict:
    return {
        **{name: _plain(value) for name, value in data.items() if name not in services.M2M_FIELDS},
        "fields": sorted(f.pk for f in data["fields"]),
        "cooperation": sorted(c.pk for c in data["cooperation"]),
    }


def import_preview(*, by, name: str, content: bytes) -> OfferPreview:
    """Check every row without writing anything: what would be created, updated, refused."""
    permissions.require(by, "offer.import")
    try:
        table = read_rows(content, name, COLUMNS)
    except FileRefused as error:
        return OfferPreview.refused(error)

    reference = _reference()
    existing = {
        (o.provider_name, o.external_ref): o
        for o in Offer.objects.filter(representation_id=by.organization_id)
        .exclude(external_ref="")
        .prefetch_related("fields", "cooperation")
    }
    rows, seen = [], {}
    for index, raw in table:
        row = OfferRow(line=index, values=raw)
        if not row.check(RowForm(raw, reference=reference), COLUMNS):
            rows.append(row)
            continue
        data = {k: v for k, v in row.data.items() if k != "publish"}
        for text_field in services.TEXT_FIELDS:
            data[text_field] = services.normalize_text(data[text_field]).strip()
        row.data = {**data, "publish": row.data["publish"]}
        key = (data["provider_name"], data["external_ref"])
        if key in seen:
            row.add_error(
                "external_ref", _("Same reference as line %(line)d.") % {"line": seen[key]}
            )
            rows.append(row)
            continue
        seen[key] = index
        row.offer = existing.get(key)
        if row.offer is None:
            row.action = "create"
        elif row.offer.status == Offer.Status.ARCHIVED:
            row.add_error("external_ref", _("This offer is archived; re-publish it first."))
        else:
            unchanged = _comparable(row.offer) == _wanted(data) and (
                not row.data["publish"] or row.offer.status == Offer.Status.PUBLISHED
            )
            row.action = "unchanged" if unchanged else "update"
        if row.data["publish"] and not row.errors:
            probe = Offer(**{k: v for k, v in data.items() if k not in services.M2M_FIELDS})
            problems = [
                (f, m) for f, m in _completeness_without_m2m(probe) if f not in services.M2M_FIELDS
            ]
            if not data["fields"]:
                problems.append(("fields", str(_("Choose 1 to 3 S&T fields."))))
            if not data["cooperation"]:
                problems.append(("cooperation", str(_("Choose the cooperation offered."))))
            for f, message in problems:
                row.add_error(f, message)
        rows.append(row)
    return OfferPreview(rows=rows)


def _completeness_without_m2m(offer: Offer) -> list[tuple[str, str]]:
    # An unsaved probe: the M2M checks are done on the row's own values by the caller.
    offer.pk = None
    return services.offer_completeness(offer)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0


@transaction.atomic
def offers_import(*, by, preview: OfferPreview) -> ImportResult:
    """Write a clean preview in one transaction: every row or none."""
    permissions.require(by, "offer.import")
    if preview.has_errors:
        raise ValueError("a preview with errors cannot be imported")
    result = ImportResult()
    for row in preview.rows:
        if row.action == "unchanged":
            result.unchanged += 1
            continue
        data = {k: v for k, v in row.data.items() if k != "publish"}
        if row.offer is None:
            offer = services.offer_create(by=by, data=data)
            result.created += 1
        else:
            offer = services.offer_update(offer=row.offer, by=by, data=data)
            result.updated += 1
        if row.data["publish"] and offer.status == Offer.Status.DRAFT:
            # Re-imports are how a representation loads its catalogue: no similar-title pause.
            services.offer_publish(offer=offer, by=by, confirm_similar=True, note="import")
            result.published += 1
    # offer_update and offer_publish queue matching after commit for published offers.
    return result


# --- the template -------------------------------------------------------------------------------

EXAMPLE = {
    "external_ref": "JP-2026-001",
    "provider_name": "Example Robotics Co., Ltd.",
    "provider_type": "company",
    "provider_country": "JP",
    "provider_website": "https://example.com",
    "title": "Compact vision-guided picking robot",
    "summary": "A six-axis robot with a stereo camera that picks mixed parts from bins at 1,200 picks per hour.",
    "title_vi": "Robot gắp chi tiết dẫn hướng bằng thị giác",
    "summary_vi": "Robot sáu trục có camera lập thể, gắp chi tiết lẫn lộn trong thùng, 1.200 lần mỗi giờ.",
    "description": "",
    "advantages": "No teaching needed for new parts; works with reflective metal parts.",
    "applications": "Electronics assembly, precision moulds",
    "fields": "2.02;2.03",
    "keywords": "robot, machine vision, bin picking",
    "trl": "8",
    "ip_status": "patent_granted",
    "patent_numbers": "JP 7012345",
    "cooperation": "license;technology_transfer",
    "terms": "License fee plus royalty",
    "valid_until": "2027-12-31",
    "source_url": "https://example.com/robot",
    "publish": "no",
}


def template_rows() -> tuple[list[str], list[list[str]], list[list[str]]]:
    cooperation = ", ".join(CooperationType.objects.values_list("code", flat=True))
    help_rows = [
        [
            name,
            "yes" if required else "",
            help_text + (cooperation if name == "cooperation" else ""),
        ]
        for name, _header, required, help_text in COLUMNS
    ]
    return COLUMN_NAMES, [[EXAMPLE[c] for c in COLUMN_NAMES]], help_rows


def template_xlsx() -> bytes:
    header, rows, help_rows = template_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "offers"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    guide = workbook.create_sheet("columns")
    guide.append(["column", "required", "what to write"])
    for row in help_rows:
        guide.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    header, rows, _help = template_rows()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8
