"""Every answer under /api/ is JSON, errors included; a malformed body is a 400, never a 500."""

import json

import pytest
from rest_framework.test import APIClient

from offers.models import Offer

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.strip()
    return detail


@pytest.fixture
def rep_client(rep_jp):
    from rest_framework.authtoken.models import Token

    client = APIClient(raise_request_exception=False)  # see the 500 a user would see
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rep_jp).key}")
    client.cookies["django_language"] = "en"  # the assertions read English words
    return client


def test_deeply_nested_json_is_a_400_not_a_server_error(rep_client):
    body = "[" * 50_000 + "]" * 50_000
    response = rep_client.post("/api/offers/", body, content_type="application/json")
    assert "nested" in assert_json_error(response, 400)
    assert not Offer.objects.exists()


@pytest.mark.parametrize("body", ['{"title": ', "{'title': 'x'}", "NaN", "\xff\xfe"])
def test_malformed_json_is_a_400_that_says_so(rep_client, body):
    response = rep_client.post("/api/offers/", body, content_type="application/json")
    assert "JSON" in assert_json_error(response, 400)


def test_an_oversized_json_body_is_refused_without_being_read(rep_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = json.dumps({"title": "Big", "description": "x" * 200_000})
    response = rep_client.post("/api/offers/", body, content_type="application/json")
    assert "large" in assert_json_error(response, 413)
    assert not Offer.objects.exists()
    fits = rep_client.post(
        "/api/offers/",
        {"title": "Small", "provider_name": "Y", "provider_country": "JP"},
        format="json",
    )
    assert fits.status_code == 201


def test_the_api_reads_json_only(rep_client, draft_jp):
    response = rep_client.post(
        f"/api/offers/{draft_jp.pk}/archive/", {"note": "x"}, format="multipart"
    )
    assert "multipart/form-data" in assert_json_error(response, 415)
    draft_jp.refresh_from_db()
    assert draft_jp.status == "draft"


def test_an_oversized_form_body_is_refused_in_json_without_being_read(rep_jp, draft_jp, settings):
    """With a session, the CSRF check asks for the form body: the API reads no forms."""
    from django.test import Client

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep_jp)
    client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32  # so the check goes on to the body
    response = client.post(
        f"/api/offers/{draft_jp.pk}/archive/",
        "note=" + "x" * 200_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert_json_error(response, 415)


def test_an_unknown_api_address_is_a_json_404(rep_client, client):
    assert_json_error(rep_client.get("/api/no-such-thing/"), 404)
    assert_json_error(rep_client.post("/api/offers/1/no-such-action/", {}, format="json"), 404)
    # the rest of the site keeps its pages
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_answers_json(rep_client, monkeypatch):
    def broken(user):
        raise RuntimeError("a bug")

    monkeypatch.setattr("offers.selectors.offer_list_own", broken)
    assert "error" in assert_json_error(rep_client.get("/api/offers/"), 500)


def test_error_messages_follow_the_language(rep_client):
    detail = assert_json_error(rep_client.get("/api/no-such-thing/"), 404)
    assert detail == "There is nothing at this address of the API."
    del rep_client.cookies["django_language"]  # Vietnamese, the portal's default
    detail = assert_json_error(rep_client.get("/api/no-such-thing/"), 404)
    assert detail == "Không có gì ở địa chỉ này của API."
