"""Exports of the demand list: small ones written in the request, large ones by the worker.

Below IMMEDIATE_MAX_ROWS the file is written at once: ~0.1 ms a demand on a quiet machine (a
province's 2,001 demands: CSV 3,557 -> 538 ms and XLSX 7,781 -> 795 ms in the same minutes on a
machine at load 10, where the CSV took 1,157 ms quiet before), so 3,000 demands stay within the
300 ms an XLSX may take and a province's whole list stays immediate. Above, `demand_export_request`
records a DemandExport and queues `demands.prepare_export`; the worker writes the file
(`demand_export_prepare`) within the requester's scope as it is then, stores it under a random
name outside any public URL and tells the requester (in-app notification with the link). Only
the requester downloads it (rule `demand_export.download`), until it expires.
"""

from __future__ import annotations

import datetime
import logging
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notifications.models import Kind
from notifications.services import notify
from outbox.services import enqueue_on_commit

from . import exporting, selectors
from .filters import DemandFilter
from .models import DemandExport

logger = logging.getLogger(__name__)

IMMEDIATE_MAX_ROWS = 3000
KEEP_FOR = datetime.timedelta(hours=24)  # a prepared file is deleted after this
# A job still pending this long lost its message (a worker killed on the SQLite broker):
# the sweep queues it again; the task's state guard makes a double delivery harmless.
REQUEUE_AFTER = datetime.timedelta(minutes=15)


def filtered_demands(user, query: str):
    """The demand list's rows for `user` with the list's filters (`query`, a query string),
    within the user's scope: the same queryset the list page shows."""
    params = QueryDict(query)
    scope = params.get("scope") or selectors.default_scope(user)
    queryset = selectors.demand_list_visible_to(user, scope=scope)
    request = SimpleNamespace(user=user)  # what DemandFilter reads of a request
    return DemandFilter(params or None, queryset=queryset, request=request).qs


def export_filename(fmt: str) -> str:
    return f"nhu-cau-{timezone.localdate():%Y%m%d}.{fmt}"


@transaction.atomic
def demand_export_request(*, by, fmt: str, query: str, row_count: int) -> DemandExport:
    """Queue a large export for `by`; the same export still being prepared is not queued
    twice (asking again, or reloading the page, shows the one under way)."""
    language = translation.get_language() or "vi"
    pending = (
        DemandExport.objects.select_for_update()
        .filter(
            requested_by=by,
            format=fmt,
            query=query,
            language=language,
            status=DemandExport.Status.PENDING,
        )
        .first()
    )
    if pending is not None:
        return pending
    export = DemandExport.objects.create(
        requested_by=by,
        format=fmt,
        query=query,
        language=language,
        row_count=row_count,
        filename=export_filename(fmt),
        expires_at=timezone.now() + KEEP_FOR,
    )
    _queue(export)
    return export


def _queue(export: DemandExport) -> None:
    from . import tasks

    enqueue_on_commit(tasks.prepare_export, export.pk)


def demand_export_prepare(*, export_id: int) -> bool:
    """Write a pending export's file and tell its requester; False if there was nothing to do
    (already prepared, failed, or deleted). Errors propagate: the task retries."""
    export = (
        DemandExport.objects.select_related("requested_by")
        .filter(pk=export_id, status=DemandExport.Status.PENDING)
        .first()
    )
    if export is None:
        return False
    user = export.requested_by
    with translation.override(export.language):
        content = exporting.export_bytes(user, filtered_demands(user, export.query), export.format)
    stored = export.file.storage.save(
        export.file.field.generate_filename(export, export.filename), ContentFile(content)
    )
    expires_at = timezone.now() + KEEP_FOR
    with transaction.atomic():
        # Compare-and-swap: a second delivery of the same task that finished first wins; this
        # one's file is removed.
        done = DemandExport.objects.filter(pk=export.pk, status=DemandExport.Status.PENDING).update(
            status=DemandExport.Status.READY,
            file=stored,
            finished_at=timezone.now(),
            expires_at=expires_at,
        )
        if not done:
            transaction.on_commit(lambda: export.file.storage.delete(stored))
            return False
        # Callables: notify() renders them in the requester's language and time zone.
        notify(
            users=[user],
            kind=Kind.EXPORT,
            title=lambda: (
                ngettext(
                    "Your export of %(count)s demand is ready",
                    "Your export of %(count)s demands is ready",
                    export.row_count,
                )
                % {"count": export.row_count}
            ),
            body=lambda: (
                _("You can download it until %(time)s.")
                % {
                    "time": formats.date_format(
                        timezone.localtime(expires_at), "SHORT_DATETIME_FORMAT"
                    )
                }
            ),
            url=reverse("demands:export_download", args=[export.pk]),
            email=False,
        )
    return True


@transaction.atomic
def demand_export_fail(*, export_id: int, error: str) -> bool:
    """Mark an export failed after its last retry and tell its requester."""
    export = (
        DemandExport.objects.select_for_update()
        .select_related("requested_by")
        .filter(pk=export_id, status=DemandExport.Status.PENDING)
        .first()
    )
    if export is None:
        return False
    export.status = DemandExport.Status.FAILED
    export.error = error[:500]
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "error", "finished_at"])
    logger.error("demand export %s failed: %s", export.pk, error)
    notify(
        users=[export.requested_by],
        kind=Kind.EXPORT,
        title=gettext_lazy("Your export of demands could not be prepared"),
        body=gettext_lazy("Please try again later, or narrow the list with the filters."),
        url=export.get_absolute_url(),
        email=False,
    )
    return True


def demand_exports_sweep(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Delete expired exports and their files; queue again those whose message was lost.
    Returns (deleted, queued again)."""
    now = now or timezone.now()
    expired = DemandExport.objects.filter(expires_at__lt=now)
    for export_id in expired.filter(status=DemandExport.Status.PENDING).values_list(
        "pk", flat=True
    ):
        demand_export_fail(export_id=export_id, error="not prepared before it expired")
    deleted = 0
    for export in expired:
        if export.file:
            export.file.delete(save=False)
        export.delete()
        deleted += 1
    stale = DemandExport.objects.filter(
        status=DemandExport.Status.PENDING, created_at__lt=now - REQUEUE_AFTER
    )
    requeued = 0
    for export in stale:
        _queue(export)
        requeued += 1
    return deleted, requeued
