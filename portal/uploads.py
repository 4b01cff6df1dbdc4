"""Attachment checks shared by demands and offers: type by content, size, safe names."""

from __future__ import annotations

import re
import unicodedata
import zipfile

import filetype
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
# extension -> the MIME type the file's own bytes must show
ALLOWED = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
OOXML_MARKER = {"docx": "word/", "xlsx": "xl/"}


def safe_filename(name: str) -> str:
    """Keep a readable name (Vietnamese included) without paths or shell-hostile characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ()]+", "_", name).strip(" ._") or "file"
    stem, dot, ext = name.rpartition(".")
    return (stem[:150] + dot + ext[:10]) if dot else name[:160]


def sniff_type(upload: UploadedFile, extension: str) -> str | None:
    """The MIME type the file's content proves, or None."""
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None:
        return None
    if kind.mime == "application/zip" or extension in OOXML_MARKER:
        # DOCX and XLSX are zip files: look inside for the part that names the format.
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        marker = OOXML_MARKER.get(extension)
        if marker and "[Content_Types].xml" in names and any(n.startswith(marker) for n in names):
            return ALLOWED[extension]
        return None
    return kind.mime


def validate_attachment(upload: UploadedFile) -> str:
    """Raise a ValidationError with a clear message, or return the proven MIME type."""
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ALLOWED:
        raise forms.ValidationError(
            _("%(name)s: only PDF, DOCX, XLSX, PNG and JPEG files are accepted."),
            params={"name": upload.name},
            code="type",
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise forms.ValidationError(
            _("%(name)s is %(size).1f MB; the limit is 10 MB per file."),
            params={"name": upload.name, "size": upload.size / 1024 / 1024},
            code="size",
        )
    mime = sniff_type(upload, extension)
    if mime != ALLOWED[extension]:
        raise forms.ValidationError(
            _("%(name)s does not look like a real .%(ext)s file; it was refused."),
            params={"name": upload.name, "ext": extension},
            code="content",
        )
    return mime


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input, each checked; `clean` returns [(file, mime), ...]."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("PDF, DOCX, XLSX, PNG or JPEG; up to 10 MB each and 5 files in all."),
        )
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ",".join(f".{ext}" for ext in ALLOWED))

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        errors, cleaned = [], []
        for upload in files:
            try:
                cleaned.append((upload, validate_attachment(upload)))
            except forms.ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned
