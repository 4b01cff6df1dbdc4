"""Spreadsheet imports, one design for demands and offers: upload, preview every row's errors,
confirm, write all or nothing.

Here: reading a CSV or the first sheet of an XLSX with the row cap applied before any parsing,
the header check, the uploaded file kept until its preview is confirmed, and the preview's
types. Each side keeps its column map, a Django form per row and what it writes
(demands/importing.py, offers/importing.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, NamedTuple

from django import forms
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.packaging.manifest import Manifest
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
from openpyxl.xml.functions import fromstring

from portal.text import fold

MAX_ROWS = 2000  # rows under the header, per file
MAX_COLUMNS = 64  # the templates have 16 and 22; a sheet may declare 16,384
MAX_UNZIPPED = 64 * 1024 * 1024  # an XLSX is a zip: a 5 MB upload must not inflate to gigabytes
PENDING_MAX_AGE = 3600  # a preview stays confirmable for an hour
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Column(NamedTuple):
    key: str  # the row form's field
    header: str  # as the template writes it; the key is accepted too
    required: bool = False
    help: str | Promise = ""


class FileRefused(Exception):
    """The file as a whole cannot be imported; the message says why, for the user."""


# --- reading ------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text a form reads: dates in ISO form, 8.0 as "8"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_lines(content: bytes) -> Iterator[list[Any]]:
    text = content.decode("utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


class TooManyRows(Exception):
    """The workbook holds more than the row cap can need (seen before openpyxl parses it)."""


_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>]")


def _shared_strings(archive: zipfile.ZipFile) -> Iterator[int]:
    """Running count of the workbook's shared strings, read from the zip as a stream.

    openpyxl parses the whole shared-strings table before the first row, whatever the row
    cap: 2,000,000 strings in a 5 MB upload held a web worker 53 s and 275 MB."""
    # The part openpyxl will read: the one [Content_Types].xml declares, whatever its name.
    part = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES))).find(SHARED_STRINGS)
    if part is None:
        return
    name = part.PartName[1:]
    count, tail = 0, b""
    with archive.open(name) as stream:
        while chunk := stream.read(1 << 20):
            buffer = tail + chunk
            edge = max(len(buffer) - 16, 0)  # a tag may straddle chunks: count it next time
            count += sum(1 for m in _SHARED_STRING.finditer(buffer) if m.start() < edge)
            tail = buffer[edge:]
            yield count
    yield count + len(_SHARED_STRING.findall(tail))


def _xlsx_lines(content: bytes, limit: int) -> Iterator[tuple[Any, ...]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if sum(member.file_size for member in archive.infolist()) > MAX_UNZIPPED:
            raise ValueError("the workbook inflates past MAX_UNZIPPED")
        # `limit` rows of MAX_COLUMNS cells cannot need more distinct strings than that.
        if any(count > limit * MAX_COLUMNS for count in _shared_strings(archive)):
            raise TooManyRows
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        # openpyxl trusts the sheet's <dimension>: a 0.9 MB file may declare 200,000 rows of
        # 16,384 columns, and read-only mode pads every row it skips. Bounds given here, the
        # reader never builds more than `limit` rows of MAX_COLUMNS cells.
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(
            min_row=1, max_row=limit, min_col=1, max_col=MAX_COLUMNS, values_only=True
        )
    finally:
        workbook.close()


def read_lines(content: bytes, filename: str, *, limit: int) -> list[list[str]]:
    """The first `limit` lines of the file (blank ones included) as text cells."""
    lines: Iterable = (
        _csv_lines(content) if filename.lower().endswith(".csv") else _xlsx_lines(content, limit)
    )
    return [[cell_text(v) for v in line[:MAX_COLUMNS]] for line in islice(lines, limit)]


def column_keys(header: list[str], columns: list[Column]) -> list[str | None]:
    """Each header cell's column key (None when unknown or already seen), accent-blind."""
    names = {}
    for column in columns:
        names.setdefault(fold(column.key), column.key)
        names.setdefault(fold(column.header), column.key)
    keys, seen = [], set()
    for cell in header:
        key = names.get(fold(cell).strip())
        keys.append(key if key not in seen else None)
        seen.add(key)
    return keys


def read_rows(
    content: bytes, filename: str, columns: list[Column], *, max_rows: int = MAX_ROWS
) -> list[tuple[int, dict[str, str]]]:
    """The filled rows under the header, as (line number in the file, {column key: text}).

    At most header + `max_rows` + 1 lines are read: a file that has more is refused before
    anything else is parsed. Raises FileRefused with the reason for the user.
    """
    limit = max_rows + 2
    try:
        lines = read_lines(content, filename, limit=limit)
    except TooManyRows:
        raise FileRefused(_("At most %(n)d rows per file.") % {"n": max_rows}) from None
    except Exception as error:  # a broken zip, not a workbook, not UTF-8: one clear message
        raise FileRefused(_("The file could not be read as XLSX or CSV.")) from error
    if len(lines) >= limit:
        raise FileRefused(_("At most %(n)d rows per file.") % {"n": max_rows})
    numbered = [(number, cells) for number, cells in enumerate(lines, start=1) if any(cells)]
    if not numbered:
        raise FileRefused(_("The file is empty."))
    (_line, header), *body = numbered
    keys = column_keys(header, columns)
    missing = [c.header for c in columns if c.required and c.key not in keys]
    if missing:
        raise FileRefused(
            _("Missing columns: %(names)s. Start from the template.")
            % {"names": ", ".join(missing)}
        )
    rows = [
        (number, {key: (cells[i] if i < len(cells) else "") for i, key in enumerate(keys) if key})
        for number, cells in body
    ]
    if not rows:
        raise FileRefused(_("The file has no rows under the header."))
    return rows


# --- the preview --------------------------------------------------------------------------------


@dataclass
class Row:
    line: int  # as the spreadsheet numbers it (the header is line 1)
    values: dict[str, str]  # the cells as read, by column key
    data: dict[str, Any] = field(default_factory=dict)  # the row form's cleaned data
    errors: dict[str, list[str]] = field(default_factory=dict)  # by column, as the file names it

    def add_error(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(str(message))

    def check(self, form: forms.Form, columns: list[Column]) -> bool:
        """Run the side's row form: its cleaned data, or its errors under the columns' headers."""
        if form.is_valid():
            self.data = dict(form.cleaned_data)
            return True
        headers = {c.key: c.header for c in columns}
        for name, messages in form.errors.items():
            for message in messages:
                self.add_error(headers.get(name, "" if name == "__all__" else name), message)
        return False


@dataclass
class Preview:
    rows: list = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @classmethod
    def refused(cls, error: FileRefused) -> Preview:
        return cls(rows=[], file_errors=[str(error)])

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list:
        return [row for row in self.rows if row.errors]


# --- the file between preview and confirmation --------------------------------------------------


class PendingGone(Exception):
    """The token is forged or expired, or its file is gone (used or cleaned up)."""


@dataclass
class Pending:
    path: str
    filename: str
    content: bytes
    context: dict

    def discard(self) -> None:
        default_storage.delete(self.path)


def pending_save(
    *, kind: str, user, filename: str, content: bytes, context: dict | None = None
) -> str:
    """Keep the uploaded file until its preview is confirmed; the signed token names it.

    The file, not the parsed rows: the confirmation checks it again against the database as it
    is then. Stored under a random name in the default storage, outside any public URL.
    """
    extension = "csv" if filename.lower().endswith(".csv") else "xlsx"
    path = default_storage.save(f"imports/{uuid.uuid4().hex}.{extension}", ContentFile(content))
    payload = {"path": path, "name": filename, "user": user.pk, "context": context or {}}
    return signing.dumps(payload, salt=f"imports.{kind}")


def pending_open(token: str, *, kind: str, user, max_age: int = PENDING_MAX_AGE) -> Pending:
    """The file a token names. Http404 when another user's; PendingGone when unusable."""
    if not isinstance(token, str):  # none, or a session value of an older shape
        raise PendingGone
    try:
        payload = signing.loads(token, salt=f"imports.{kind}", max_age=max_age)
    except signing.BadSignature as error:  # SignatureExpired included
        raise PendingGone from error
    if payload["user"] != user.pk:
        raise Http404
    if not default_storage.exists(payload["path"]):
        raise PendingGone
    with default_storage.open(payload["path"], "rb") as handle:
        content = handle.read()
    return Pending(payload["path"], payload["name"], content, payload["context"])
