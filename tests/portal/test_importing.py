"""The shared spreadsheet reader: the row cap holds before parsing, whatever a file declares."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from demands import importing as demand_importing
from offers import importing as offer_importing
from offers.models import Offer
from portal import importing
from portal.importing import Column, FileRefused, read_rows


def cap_message() -> str:
    return gettext("At most %(n)d rows per file.") % {"n": importing.MAX_ROWS}


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def crafted_xlsx(
    header: list[str], rows: list[list[str]], *, dimension: str, extra_xml: str = ""
) -> bytes:
    """A real workbook whose sheet XML is then edited as an attacker would: its <dimension>
    replaced and `extra_xml` rows appended."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
                xml = xml.replace("</sheetData>", extra_xml + "</sheetData>")
                data = xml.encode()
            target.writestr(item, data)
    return out.getvalue()


def many_rows_xml(first: int, last: int) -> str:
    return "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(first, last + 1))


@pytest.fixture
def lines_read(monkeypatch):
    """Counts the rows openpyxl itself builds (padding included), and the widest of them."""
    seen = {"rows": 0, "widest": 0}
    real = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for line in real(self, *args, **kwargs):
            seen["rows"] += 1
            seen["widest"] = max(seen["widest"], len(line))
            yield line

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return seen


@pytest.mark.django_db
def test_offer_xlsx_declaring_200000_rows_is_refused_at_the_cap(client, rep_jp, lines_read):
    header = offer_importing.COLUMN_NAMES
    content = crafted_xlsx(
        header, [], dimension="A1:XFD200000", extra_xml=many_rows_xml(2, 200_000)
    )
    assert len(content) < 5 * 1024 * 1024  # passes the upload form's size check
    client.force_login(rep_jp)
    response = client.post(
        reverse("offers:import"), {"file": SimpleUploadedFile("offers.xlsx", content)}
    )
    preview = response.context["preview"]
    assert preview.file_errors == [cap_message()] and not preview.rows
    assert cap_message() in response.content.decode()
    assert lines_read["rows"] <= importing.MAX_ROWS + 2  # header, the cap, one more: no further
    assert lines_read["widest"] <= importing.MAX_COLUMNS  # not the 16,384 columns declared
    assert client.post(reverse("offers:import"), {"confirm": "1"}).status_code == 302
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_demand_xlsx_with_a_row_far_below_is_refused_without_reading_the_gap(staff_tn, lines_read):
    header = [c.header for c in demand_importing.COLUMNS]
    example = demand_importing.EXAMPLE_ROW
    content = crafted_xlsx(
        header, [example], dimension="A1:XFD200000", extra_xml=many_rows_xml(200_000, 200_000)
    )
    preview = demand_importing.preview(
        by=staff_tn, content=content, filename="k.xlsx", campaign=None
    )
    assert preview.file_errors == [cap_message()]
    assert lines_read["rows"] <= importing.MAX_ROWS + 2


@pytest.mark.django_db
def test_a_lying_dimension_over_a_small_sheet_reads_the_rows_it_has(staff_tn, lines_read):
    header = [c.header for c in demand_importing.COLUMNS]
    content = crafted_xlsx(header, [demand_importing.EXAMPLE_ROW], dimension="A1:XFD200000")
    preview = demand_importing.preview(
        by=staff_tn, content=content, filename="k.xlsx", campaign=None
    )
    assert not preview.file_errors and [r.line for r in preview.rows] == [2]
    assert lines_read["rows"] == 2


COLUMNS = [Column("code", "Mã", True), Column("name", "Tên")]


def csv_file(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_the_cap_counts_lines_under_the_header_and_numbers_them_as_the_file_does(english):
    rows = read_rows(csv_file("ma;ten", "1;a", "", "2;b", "3;c"), "x.csv", COLUMNS, max_rows=4)
    assert rows == [
        (2, {"code": "1", "name": "a"}),
        (4, {"code": "2", "name": "b"}),
        (5, {"code": "3", "name": "c"}),
    ]
    with pytest.raises(FileRefused, match="At most 4 rows per file"):
        read_rows(csv_file("ma;ten", "1;a", "", "2;b", "3;c", "4;d"), "x.csv", COLUMNS, max_rows=4)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a zip", "a.xlsx", "could not be read"),
        ("Mã;Tên\n".encode("latin-1"), "a.csv", "could not be read"),  # not UTF-8
        (b"\n\n", "a.csv", "The file is empty"),
        ("Tên\nabc\n".encode(), "a.csv", "Missing columns: Mã"),
        ("Mã;Tên\n".encode(), "a.csv", "no rows under the header"),
    ],
)
def test_files_refused_as_a_whole_say_why(english, content, name, message):
    with pytest.raises(FileRefused, match=message):
        read_rows(content, name, COLUMNS)


def test_a_zip_that_inflates_past_the_bound_is_refused(english, monkeypatch):
    monkeypatch.setattr(importing, "MAX_UNZIPPED", 1000)
    content = crafted_xlsx(["Mã", "Tên"], [["1", "a" * 2000]], dimension="A1:B2")
    with pytest.raises(FileRefused, match="could not be read"):
        read_rows(content, "a.xlsx", COLUMNS)


@pytest.mark.django_db
def test_a_pending_file_opens_for_its_owner_only_and_until_it_expires(staff_tn, staff_bn):
    token = importing.pending_save(
        kind="demands", user=staff_tn, filename="k.csv", content=b"x", context={"campaign": 7}
    )
    with pytest.raises(Http404):
        importing.pending_open(token, kind="demands", user=staff_bn)
    with pytest.raises(importing.PendingGone):
        importing.pending_open(token, kind="offers", user=staff_tn)  # another importer's salt
    with pytest.raises(importing.PendingGone):
        importing.pending_open(token, kind="demands", user=staff_tn, max_age=-1)
    pending = importing.pending_open(token, kind="demands", user=staff_tn)
    assert (pending.content, pending.filename, pending.context) == (b"x", "k.csv", {"campaign": 7})
    pending.discard()
    with pytest.raises(importing.PendingGone):
        importing.pending_open(token, kind="demands", user=staff_tn)


def test_a_workbook_whose_string_table_outgrows_the_cap_is_refused_before_parsing(english):
    # openpyxl parses every shared string before the first row: 2,000,000 of them in a 5 MB
    # upload held a web worker 53 s. A sheet of MAX_ROWS rows cannot need that many.
    def with_strings(count: int) -> bytes:
        """A workbook whose header and row read from a shared-string table of `count`
        entries, stored under a name of the attacker's choosing (openpyxl finds it through
        [Content_Types].xml)."""
        content = crafted_xlsx(["x"], [["x"]], dimension="A1:B2")
        strings = ["Mã", "Tên", "1", "a", *(f"s{n}" for n in range(count - 4))]
        table = (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + "".join(f"<si><t>{s}</t></si>" for s in strings)
            + "</sst>"
        )
        sheet_data = (
            '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row></sheetData>'
        )
        content_type = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
        )
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename).decode()
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = re.sub(r"<sheetData>.*</sheetData>", sheet_data, data, flags=re.S)
                elif item.filename == "[Content_Types].xml":
                    override = f'<Override PartName="/xl/notes.xml" ContentType="{content_type}"/>'
                    data = data.replace("</Types>", override + "</Types>")
                target.writestr(item, data.encode())
            target.writestr("xl/notes.xml", table.encode())
        return out.getvalue()

    assert read_rows(with_strings(10), "a.xlsx", COLUMNS) == [(2, {"code": "1", "name": "a"})]
    with pytest.raises(FileRefused, match=re.escape(cap_message())):
        read_rows(with_strings(200_000), "a.xlsx", COLUMNS)
