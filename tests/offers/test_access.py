"""Who reaches what, through pages and the API, for every role in the cast."""

import pytest
from django.urls import reverse

from offers.models import Offer
from tests.conftest import CAST

pytestmark = pytest.mark.django_db

SIGNED_IN_WITH_ROLE = [n for n in CAST if n not in ("anonymous", "pending_enterprise_tn")]
WORKSPACE = ["offers:mine", "offers:create", "offers:import", "offers:api_token"]


def login(client, user):
    if not user.is_anonymous:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", CAST)
def test_catalog_and_published_detail_open_to_every_active_role(client, cast, name, offer_jp):
    login(client, cast(name))
    for url in (reverse("offers:catalog"), offer_jp.get_absolute_url()):
        response = client.get(url)
        if name == "anonymous":
            assert response.status_code == 302
            assert reverse("accounts:login") in response["Location"]
        elif name == "pending_enterprise_tn":
            assert response.status_code == 404
        else:
            assert response.status_code == 200


@pytest.mark.parametrize("name", CAST)
def test_draft_is_seen_only_by_its_representation(client, cast, name, draft_jp):
    login(client, cast(name))
    response = client.get(draft_jp.get_absolute_url())
    expected = {"anonymous": 302, "rep_jp": 200, "superuser": 200}.get(name, 404)
    assert response.status_code == expected
    catalog = client.get(reverse("offers:catalog"))
    if catalog.status_code == 200:
        assert draft_jp.title not in catalog.content.decode()


@pytest.mark.parametrize("name", CAST)
def test_workspace_pages_are_for_representatives_only(client, cast, name):
    login(client, cast(name))
    for url_name in WORKSPACE:
        response = client.get(reverse(url_name))
        if name == "anonymous":
            assert response.status_code == 302
        elif name in ("rep_jp", "rep_de"):
            assert response.status_code == 200, url_name
        else:
            assert response.status_code == 404, (name, url_name)


@pytest.mark.parametrize("name", [n for n in CAST if n != "rep_jp"])
def test_nobody_else_edits_publishes_or_archives_a_japan_offer(
    client, cast, name, draft_jp, offer_jp
):
    login(client, cast(name))
    edit = client.post(reverse("offers:edit", args=[draft_jp.pk]), {"title": "hijacked"})
    publish = client.post(reverse("offers:publish", args=[draft_jp.pk]), {"confirm_similar": "on"})
    archive = client.post(reverse("offers:archive", args=[offer_jp.pk]))
    for response in (edit, publish, archive):
        assert response.status_code in ((302,) if name == "anonymous" else (404,))
        if name == "anonymous":
            assert reverse("accounts:login") in response["Location"]
    draft_jp.refresh_from_db()
    offer_jp.refresh_from_db()
    assert (draft_jp.title, draft_jp.status) == ("Draft tea sorter", "draft")
    assert offer_jp.status == "published"


@pytest.mark.parametrize("name", ["enterprise_tn", "staff_tn", "coordinator", "superuser"])
def test_other_roles_cannot_post_offers(client, cast, name):
    login(client, cast(name))
    response = client.post(reverse("offers:create"), {"title": "Not a representative"})
    assert response.status_code == 404
    assert not Offer.objects.exists()


def test_representative_can_archive_own_offer_page(client, rep_jp, offer_jp):
    client.force_login(rep_jp)
    response = client.post(reverse("offers:archive", args=[offer_jp.pk]))
    assert response.status_code == 302
    offer_jp.refresh_from_db()
    assert offer_jp.status == "archived"
    assert offer_jp.events.filter(to_status="archived", actor=rep_jp).exists()


@pytest.mark.parametrize("name", CAST)
def test_archived_offer_seen_by_owner_staff_and_national_only(client, cast, name, offer_jp):
    offer_jp.status = Offer.Status.ARCHIVED
    offer_jp.save()
    login(client, cast(name))
    response = client.get(offer_jp.get_absolute_url())
    seen = {"rep_jp", "staff_tn", "staff_bn", "coordinator", "superuser"}
    assert response.status_code == (302 if name == "anonymous" else 200 if name in seen else 404)


# --- API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CAST)
def test_api_offers_and_demands_answer_representatives_only(api, cast, name, offer_jp):
    client = api(cast(name))
    for url in ("/api/offers/", "/api/demands/", "/api/matches/", "/api/schema/"):
        response = client.get(url)
        if name == "anonymous":
            assert response.status_code == 401, url
        elif name in ("rep_jp", "rep_de") or url == "/api/schema/":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, (name, url)


@pytest.mark.parametrize("name", [n for n in CAST if n != "rep_jp"])
def test_api_cannot_touch_another_representations_offer(api, cast, name, offer_jp, draft_jp):
    client = api(cast(name))
    for offer in (offer_jp, draft_jp):
        base = f"/api/offers/{offer.pk}/"
        responses = [
            client.get(base),
            client.patch(base, {"title": "hijacked"}, format="json"),
            client.put(
                base,
                {"title": "hijacked", "provider_name": "x", "provider_country": "JP"},
                format="json",
            ),
            client.post(base + "archive/", {}, format="json"),
            client.post(base + "publish/", {"confirm_similar": True}, format="json"),
        ]
        expected = 401 if name == "anonymous" else 404 if name == "rep_de" else 403
        assert [r.status_code for r in responses] == [expected] * 5
    offer_jp.refresh_from_db()
    draft_jp.refresh_from_db()
    assert offer_jp.title == "Vision-guided mould polishing robot"
    assert offer_jp.status == "published"
    assert draft_jp.status == "draft"


@pytest.mark.parametrize("name", ["enterprise_tn", "staff_tn", "coordinator", "superuser"])
def test_api_other_roles_cannot_create(api, cast, name):
    response = api(cast(name)).post(
        "/api/offers/",
        {"title": "x", "provider_name": "y", "provider_country": "JP"},
        format="json",
    )
    assert response.status_code == 403
    assert not Offer.objects.exists()


def test_api_list_shows_only_own_offers(api, rep_jp, offer_jp, draft_jp, offer_de):
    body = api(rep_jp).get("/api/offers/").json()
    assert {row["id"] for row in body["results"]} == {offer_jp.pk, draft_jp.pk}


def test_revoked_token_no_longer_works(client, api, rep_jp):
    from rest_framework.authtoken.models import Token

    api_client = api(rep_jp)
    assert api_client.get("/api/offers/").status_code == 200
    client.force_login(rep_jp)
    client.post(reverse("offers:api_token"), {"action": "revoke"})
    assert not Token.objects.filter(user=rep_jp).exists()
    assert api_client.get("/api/offers/").status_code == 401


def test_token_page_creates_a_token_and_shows_it_once(client, rep_jp):
    from rest_framework.authtoken.models import Token

    client.force_login(rep_jp)
    response = client.post(reverse("offers:api_token"), {"action": "create"})
    key = Token.objects.get(user=rep_jp).key
    assert key in response.content.decode()
    assert key not in client.get(reverse("offers:api_token")).content.decode()


def test_token_page_shows_the_header_to_send_with_the_new_key(client, rep_jp):
    from rest_framework.authtoken.models import Token

    client.force_login(rep_jp)
    body = client.post(reverse("offers:api_token"), {"action": "create"}).content.decode()
    key = Token.objects.get(user=rep_jp).key
    assert f"Authorization: Token {key}" in body
    assert "&lt;key&gt;" not in body
