"""Large exports of the demand list: prepared by the worker, downloaded by their requester only.

The threshold is lowered to 2 demands so a handful of rows takes the background path."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from demands import exporting, exports
from demands.models import Demand, DemandExport
from notifications.models import Kind, Notification
from tests.conftest import CAST

S = Demand.Status
FIRM = "Chè Tân Cương"  # enterprise_tn's firm


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(exports, "IMMEDIATE_MAX_ROWS", 2)


@pytest.fixture
def demands(make_demand, enterprise_bn):
    """Thái Nguyên: published public, published anonymised, submitted, a draft; one published
    public demand of Bắc Ninh."""
    made = [
        make_demand(status=S.PUBLISHED, visibility="public", title="Máy sấy chè", fields=["2.11"]),
        make_demand(status=S.PUBLISHED, visibility="anonymised", title="=Xử lý nước thải"),
        make_demand(status=S.SUBMITTED, visibility="confidential", title="Chờ duyệt kín"),
        make_demand(status=S.DRAFT, title="Bản nháp"),
        make_demand(owner=enterprise_bn, status=S.PUBLISHED, visibility="public", title="Khuôn"),
    ]
    made[0].cooperation.set(["training", "consulting"])
    return made


def table(content: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return [list(row) for row in load_workbook(io.BytesIO(content)).worksheets[0].values]


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def prepare(client, fmt: str, query: str, capture):
    """Ask for an export on the background path; run the queued task (eager) on commit."""
    with capture(execute=True):
        response = client.get(reverse("demands:export", args=[fmt]) + query)
    return response


@pytest.mark.sqlite  # also on the embedded demo's database
@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["staff_tn", "rep_jp", "coordinator"])
def test_background_file_holds_the_rows_of_the_immediate_one(
    name, fmt, cast, client, demands, monkeypatch, django_capture_on_commit_callbacks
):
    user = cast(name)
    client.force_login(user)
    query = "?sort=title"
    immediate = client.get(reverse("demands:export", args=[fmt]) + query)
    assert immediate.status_code == 200
    monkeypatch.setattr(exports, "IMMEDIATE_MAX_ROWS", 2)
    response = prepare(client, fmt, query, django_capture_on_commit_callbacks)
    export = DemandExport.objects.get(requested_by=user)
    assert response.status_code == 302 and response.url == export.get_absolute_url()
    export.refresh_from_db()
    assert export.status == DemandExport.Status.READY
    notification = Notification.objects.get(user=user, kind=Kind.EXPORT)
    assert notification.url == reverse("demands:export_download", args=[export.pk])
    file = client.get(notification.url)
    assert file.status_code == 200 and file["Cache-Control"] == "private, no-store"
    rows = table(downloaded(file), fmt)
    assert rows == table(immediate.content, fmt)
    assert rows[0] == exporting.HEADERS and len(rows) == 1 + export.row_count


@pytest.mark.django_db
def test_a_large_export_answers_at_once_and_is_not_queued_twice(
    client, staff_tn, demands, small_threshold
):
    client.force_login(staff_tn)
    url = reverse("demands:export", args=["xlsx"])
    # Nothing runs the task here (no commit callbacks): it stays pending.
    page = client.get(url, follow=True)
    export = DemandExport.objects.get()
    assert export.status == DemandExport.Status.PENDING and export.row_count == 3
    assert "3" in page.content.decode() and page.context["export"] == export
    assert client.get(url).url == export.get_absolute_url()
    assert DemandExport.objects.count() == 1
    # Not ready yet: the download link leads back to the page saying so.
    download = client.get(reverse("demands:export_download", args=[export.pk]))
    assert download.status_code == 302 and download.url == export.get_absolute_url()


@pytest.mark.django_db
def test_the_list_says_large_exports_are_prepared_in_the_background(
    client, staff_tn, demands, small_threshold
):
    client.force_login(staff_tn)
    assert client.get(reverse("demands:list")).context["export_in_background"]
    assert not client.get(reverse("demands:list") + "?q=khuon").context["export_in_background"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in CAST if n != "staff_tn"])
def test_nobody_else_opens_or_downloads_a_prepared_export(
    name, cast, client, staff_tn, demands, small_threshold, django_capture_on_commit_callbacks
):
    client.force_login(staff_tn)
    prepare(client, "csv", "", django_capture_on_commit_callbacks)
    export = DemandExport.objects.get(status=DemandExport.Status.READY)
    client.logout()
    if name != "anonymous":
        client.force_login(cast(name))
    for url in (
        reverse("demands:export_download", args=[export.pk]),
        reverse("demands:export_status", args=[export.pk]),
    ):
        response = client.get(url)
        if name == "anonymous":
            assert response.status_code == 302 and "/login" in response.url
        else:
            assert response.status_code == 404, url
        assert FIRM.encode() not in response.content


LISTED = {"Khuôn", "Máy sấy chè", "'=Xử lý nước thải"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "scope", "titles"),
    [
        ("staff_bn", "published", LISTED),
        ("rep_jp", "all", LISTED),
        ("enterprise_bn", "published", LISTED),
        ("enterprise_bn", "mine", {"Khuôn"}),
        ("staff_tn", "province", {"Chờ duyệt kín", "Máy sấy chè", "'=Xử lý nước thải"}),
        ("coordinator", "all", {"Chờ duyệt kín", *LISTED}),
    ],
)
def test_a_prepared_export_holds_only_the_requesters_scope(
    name, scope, titles, cast, client, demands, monkeypatch, django_capture_on_commit_callbacks
):
    user = cast(name)
    client.force_login(user)
    # staff_bn asks for a scope that is not theirs: they get their default one, not more.
    query = "?scope=all" if name == "staff_bn" else f"?scope={scope}"
    if name == "staff_bn":
        titles = {"Khuôn"}  # their province's demands
    monkeypatch.setattr(exports, "IMMEDIATE_MAX_ROWS", 0)
    prepare(client, "csv", query, django_capture_on_commit_callbacks)
    export = DemandExport.objects.get(requested_by=user)
    rows = table(
        downloaded(client.get(reverse("demands:export_download", args=[export.pk]))), "csv"
    )
    assert {row[1] for row in rows[1:]} == titles and len(rows) == 1 + len(titles)
    # The anonymised demand names its firm only to its province's staff and the coordinator.
    for row in rows[1:]:
        if row[1] == "'=Xử lý nước thải":
            insider = name in ("staff_tn", "coordinator")
            assert (row[4] == FIRM) == insider and bool(row[7]) == insider


@pytest.mark.sqlite  # also on the embedded demo's database
@pytest.mark.django_db
def test_a_failing_export_is_retried_then_its_requester_is_told(
    client, staff_tn, demands, small_threshold, monkeypatch, django_capture_on_commit_callbacks
):
    attempts = []

    def broken(user, demands, fmt):
        attempts.append(fmt)
        raise OSError("disk full")

    monkeypatch.setattr(exporting, "export_bytes", broken)
    client.force_login(staff_tn)
    prepare(client, "xlsx", "", django_capture_on_commit_callbacks)
    export = DemandExport.objects.get()
    assert len(attempts) == 1 + 4  # the first try and four retries (eager: no backoff wait)
    assert export.status == DemandExport.Status.FAILED and "disk full" in export.error
    told = Notification.objects.get(user=staff_tn, kind=Kind.EXPORT)
    assert told.url == export.get_absolute_url()
    page = client.get(told.url)
    assert page.status_code == 200 and not export.file


@pytest.mark.django_db
def test_a_retry_that_succeeds_delivers_the_file(
    client, staff_tn, demands, small_threshold, monkeypatch, django_capture_on_commit_callbacks
):
    real, attempts = exporting.export_bytes, []

    def flaky(user, demands, fmt):
        attempts.append(fmt)
        if len(attempts) < 3:
            raise ConnectionError("database restarting")
        return real(user, demands, fmt)

    monkeypatch.setattr(exporting, "export_bytes", flaky)
    client.force_login(staff_tn)
    prepare(client, "csv", "", django_capture_on_commit_callbacks)
    export = DemandExport.objects.get()
    assert len(attempts) == 3 and export.status == DemandExport.Status.READY
    assert Notification.objects.filter(user=staff_tn, kind=Kind.EXPORT).count() == 1


@pytest.mark.django_db
def test_exports_expire_and_their_files_go(
    client, staff_tn, demands, small_threshold, django_capture_on_commit_callbacks
):
    client.force_login(staff_tn)
    prepare(client, "csv", "", django_capture_on_commit_callbacks)
    export = DemandExport.objects.get()
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)
    later = export.expires_at + datetime.timedelta(minutes=1)
    DemandExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    download = client.get(reverse("demands:export_download", args=[export.pk]))
    assert download.status_code == 302
    assert client.get(download.url).context["expired"]
    assert exports.demand_exports_sweep(now=later) == (1, 0)
    assert not storage.exists(name) and not DemandExport.objects.exists()
    assert client.get(reverse("demands:export_status", args=[export.pk])).status_code == 404


@pytest.mark.django_db
def test_a_pending_export_whose_message_was_lost_is_queued_again(
    staff_tn, demands, django_capture_on_commit_callbacks
):
    export = DemandExport.objects.create(
        requested_by=staff_tn,
        format="csv",
        query="",
        language="vi",
        row_count=3,
        filename="nhu-cau.csv",
        expires_at=timezone.now() + exports.KEEP_FOR,
    )
    DemandExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - exports.REQUEUE_AFTER - datetime.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert exports.demand_exports_sweep() == (0, 1)
    export.refresh_from_db()
    assert export.status == DemandExport.Status.READY
