"""A large export for real, as `make run` serves it: the portal (production settings, no Redis)
queues it on the embedded SQLite broker and a `celery worker` subprocess writes the file."""

import io

import pytest
from django.conf import settings
from openpyxl import load_workbook

from demands import exporting, exports
from demands.models import Demand, DemandExport
from notifications.models import Kind, Notification
from tests.conftest import reload_reference_data
from tests.matching.test_worker_sqla import embedded_env, portal
from tests.matching.workers import Worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.xdist_group("celery-worker"),
]


def test_the_embedded_worker_prepares_a_large_export(tmp_path, staff_tn, make_demand):
    reload_reference_data()
    for i in range(4):
        make_demand(status=Demand.Status.PUBLISHED, visibility="anonymised", title=f"Nhu cầu {i}")
    env = {**embedded_env(tmp_path), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    worker = Worker(tmp_path / "worker.log", settings_module="portal.settings", env=env)
    try:
        portal(
            env,
            "from accounts.models import User; from demands import exports; "
            f"exports.demand_export_request(by=User.objects.get(pk={staff_tn.pk}), fmt='xlsx', "
            "query='sort=title', row_count=4)",
        )
        export = wait_for(
            lambda: DemandExport.objects.filter(status=DemandExport.Status.READY).first(),
            120,
            "the worker to prepare the export",
        )
        assert "demands.prepare_export" in worker.output()
    finally:
        worker.stop()
    assert Notification.objects.filter(user=staff_tn, kind=Kind.EXPORT).exists()
    with export.file.open("rb") as handle:
        prepared = list(load_workbook(io.BytesIO(handle.read())).worksheets[0].values)
    immediate = exporting.export_bytes(
        staff_tn, exports.filtered_demands(staff_tn, "sort=title"), "xlsx"
    )
    assert prepared == list(load_workbook(io.BytesIO(immediate)).worksheets[0].values)
    assert len(prepared) == 5
