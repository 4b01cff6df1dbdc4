"""The API contract: every response body validates against the schema the server serves."""

import copy
import datetime as dt
import re

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone

from api.reference import api_reference
from offers.models import Offer
from tests.conftest import CAST

pytestmark = pytest.mark.django_db

NEW_OFFER = {
    "provider_name": "Yamada Robotics",
    "provider_type": "company",
    "provider_country": "JP",
    "title": "Vision-guided mould polishing robot",
    "summary": "A six-axis robot with force control and a camera that polishes injection moulds to a mirror finish.",
    "title_vi": "Robot đánh bóng khuôn",
    "summary_vi": "Robot sáu trục đánh bóng khuôn ép nhựa.",
    "advantages": "Cuts polishing time from two days to five hours, no skilled polisher needed.",
    "fields": ["2.03"],
    "cooperation": ["license", "training"],
    "trl": 8,
    "ip_status": "patent_granted",
    "patent_numbers": "JP 7012345",
    "external_ref": "JP-1",
}


def openapi_to_jsonschema(node):
    """OpenAPI 3.0 marks nullability with `nullable: true`; JSON Schema spells it with a null
    type. Rewrite that one keyword so the standard jsonschema validator reads the schema."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: openapi_to_jsonschema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


class Contract:
    def __init__(self, client):
        response = client.get("/api/schema/?format=json")
        assert response.status_code == 200
        self.schema = openapi_to_jsonschema(response.json())
        self.checked = 0

    def check(self, response, path: str, method: str):
        operation = self.schema["paths"][path][method.lower()]
        status = str(response.status_code)
        assert status in operation["responses"], f"{method} {path} answered undocumented {status}"
        content = operation["responses"][status].get("content")
        if content is None:
            assert not response.content
            return
        body_schema = copy.deepcopy(content["application/json"]["schema"])
        body_schema["components"] = self.schema["components"]
        jsonschema.validate(response.json(), body_schema)
        self.checked += 1


@pytest.fixture
def contract(api, rep_jp):
    return Contract(api(rep_jp))


def test_every_response_matches_the_schema(api, rep_jp, rep_de, enterprise_tn, contract, offer_de):
    from demands.models import Demand, Visibility

    client = api(rep_jp)
    created = client.post("/api/offers/", NEW_OFFER, format="json")
    assert created.status_code == 201, created.json()
    contract.check(created, "/api/offers/", "POST")
    offer_id = created.json()["id"]
    item = f"/api/offers/{offer_id}/"
    generic = "/api/offers/{id}/"

    contract.check(client.get("/api/offers/"), "/api/offers/", "GET")
    contract.check(client.get("/api/offers/?status=draft&q=khuon&trl_min=7"), "/api/offers/", "GET")
    contract.check(client.get(item), generic, "GET")
    contract.check(client.patch(item, {"keywords": "robot"}, format="json"), generic, "PATCH")
    contract.check(
        client.put(item, {**NEW_OFFER, "terms": "license fee"}, format="json"), generic, "PUT"
    )
    bad = client.patch(
        item,
        {
            "fields": ["2.01", "2.02", "2.03", "2.04"],
            "provider_country": "ZZ",
            "trl": 12,
            "provider_website": "not a url",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"fields", "provider_country", "trl", "provider_website"} <= set(bad.json())
    contract.check(bad, generic, "PATCH")

    published = client.post(item + "publish/", {}, format="json")
    assert published.json()["status"] == "published"
    contract.check(published, generic + "publish/", "POST")
    incomplete = client.post(
        "/api/offers/",
        {"title": "Half", "provider_name": "Y", "provider_country": "JP"},
        format="json",
    )
    refused = client.post(f"/api/offers/{incomplete.json()['id']}/publish/", {}, format="json")
    assert refused.status_code == 400 and "summary" in refused.json()
    contract.check(refused, generic + "publish/", "POST")
    twin = client.post("/api/offers/", {**NEW_OFFER, "external_ref": "JP-2"}, format="json").json()
    conflict = client.post(f"/api/offers/{twin['id']}/publish/", {}, format="json")
    assert conflict.status_code == 409 and conflict.json()["similar"][0]["id"] == offer_id
    contract.check(conflict, generic + "publish/", "POST")
    duplicate_ref = client.post("/api/offers/", NEW_OFFER, format="json")
    assert duplicate_ref.status_code == 400 and "external_ref" in duplicate_ref.json()
    contract.check(duplicate_ref, "/api/offers/", "POST")

    archived = client.post(item + "archive/", {"note": "sold out"}, format="json")
    assert archived.json()["status"] == "archived"
    contract.check(archived, generic + "archive/", "POST")
    again = client.post(item + "archive/", {}, format="json")
    assert again.status_code == 400
    contract.check(again, generic + "archive/", "POST")

    contract.check(client.get(f"/api/offers/{offer_de.pk}/"), generic, "GET")  # 404
    contract.check(api(enterprise_tn).get("/api/offers/"), "/api/offers/", "GET")  # 403
    contract.check(api(None).get("/api/offers/"), "/api/offers/", "GET")  # 401

    for visibility, title in [
        (Visibility.PUBLIC, "Public need"),
        (Visibility.ANONYMISED, "Hidden firm need"),
    ]:
        d = Demand.objects.create(
            organization=enterprise_tn.organization,
            province=enterprise_tn.organization.province,
            title=title,
            status="published",
            visibility=visibility,
            published_at=timezone.now(),
        )
        d.fields.set(["2.03"])
    demands = client.get("/api/demands/")
    contract.check(demands, "/api/demands/", "GET")
    rows = {row["title"]: row for row in demands.json()["results"]}
    assert rows["Public need"]["organization_name"] == enterprise_tn.organization.name
    assert rows["Hidden firm need"]["organization_name"] is None
    assert (
        rows["Hidden firm need"]["contact_email"] is None and rows["Hidden firm need"]["anonymised"]
    )
    assert enterprise_tn.organization.name not in str(rows["Hidden firm need"])
    one = client.get(f"/api/demands/{rows['Hidden firm need']['id']}/")
    contract.check(one, "/api/demands/{id}/", "GET")
    contract.check(client.get("/api/demands/?field=2.03&q=need"), "/api/demands/", "GET")

    matches = client.get("/api/matches/")
    assert matches.json()["results"] == []
    contract.check(matches, "/api/matches/", "GET")
    assert contract.checked >= 20


def test_api_update_of_published_offer_must_stay_complete(api, rep_jp, offer_jp):
    response = api(rep_jp).patch(f"/api/offers/{offer_jp.pk}/", {"summary": "short"}, format="json")
    assert response.status_code == 400 and "summary" in response.json()
    offer_jp.refresh_from_db()
    assert offer_jp.summary != "short"


def test_api_status_cannot_be_written(api, rep_jp, draft_jp):
    response = api(rep_jp).patch(
        f"/api/offers/{draft_jp.pk}/", {"status": "published"}, format="json"
    )
    assert response.status_code == 200
    draft_jp.refresh_from_db()
    assert draft_jp.status == "draft"


def test_docs_page_lists_every_operation_with_no_inline_script_and_no_cdn(client, rep_jp):
    client.force_login(rep_jp)
    schema = client.get("/api/schema/?format=json").json()
    body = client.get("/api/docs/").content.decode()
    headings = {
        " ".join(re.sub(r"<[^>]+>", " ", h).split())
        for h in re.findall(r"<h3 id=\"op-[^\"]+\">(.*?)</h3>", body, re.S)
    }
    operations = {
        f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item
    }
    assert {"GET /api/offers/", "POST /api/offers/", "PATCH /api/offers/{id}/"} <= operations
    assert "/api/docs/" not in schema["paths"]  # the page is not an endpoint of the API
    assert headings == operations
    assert 'curl -X POST "http://testserver/api/offers/1/publish/"' in body
    # every script and stylesheet is a file of our own: the CSP allows nothing inline, no CDN
    assert re.findall(r"<script[^>]*>", body) and all(
        re.search(r'src="/static/', tag) for tag in re.findall(r"<script[^>]*>", body)
    )
    assert "<style" not in body and " style=" not in body
    assert all(href.startswith("/") for href in re.findall(r'<link[^>]* href="([^"]+)"', body))


def test_api_list_filters_by_validity_independent_fields(api, rep_jp, offer_jp, draft_jp):
    body = api(rep_jp).get("/api/offers/?status=draft").json()
    assert [row["id"] for row in body["results"]] == [draft_jp.pk]
    Offer.objects.filter(pk=offer_jp.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert api(rep_jp).get("/api/offers/?status=published").json()["count"] == 1


def test_docs_tell_a_visitor_how_to_get_a_token(client):
    response = client.get("/api/docs/")
    body = response.content.decode()
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert reverse("offers:api_token") in body and reverse("accounts:login") in body
    assert "Authorization: Token" in body
    # the schema itself stays closed to visitors
    assert client.get("/api/schema/").status_code in (401, 403)


def test_docs_visitor_page_in_the_visitors_language(client, settings):
    assert "Cách lấy mã truy cập" in client.get("/api/docs/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "How to get a token" in client.get("/api/docs/").content.decode()


@pytest.mark.parametrize("name", CAST)
def test_docs_open_to_every_signed_in_user(client, cast, name):
    user = cast(name)
    if not user.is_anonymous:
        client.force_login(user)
    response = client.get("/api/docs/")
    assert response.status_code == (401 if name == "anonymous" else 200)


def test_docs_in_vietnamese_by_default(client, rep_jp):
    client.force_login(rep_jp)
    body = client.get("/api/docs/").content.decode()
    assert '<html lang="vi">' in body and "<h1>API của cổng thông tin</h1>" in body
    assert "Tình trạng sở hữu trí tuệ" in body  # the schema's model labels follow the reader
    # resources and summaries too; the schema file keeps its English for client tools
    assert ">Nhu cầu</h2>" in body and "Nhu cầu đã công bố của mọi tỉnh" in body
    schema = client.get("/api/schema/?format=json").json()
    assert schema["paths"]["/api/demands/"]["get"]["summary"] == (
        "Published demands of all provinces"
    )


def test_docs_in_english_with_the_language_cookie(client, in_english, rep_jp):
    client.force_login(rep_jp)
    body = client.get("/api/docs/").content.decode()
    assert '<html lang="en">' in body and "<h1>Portal API</h1>" in body
    assert "Before you start" in body and "IP status" in body
    assert "Tình trạng sở hữu trí tuệ" not in body


def test_docs_generate_the_schema_once_per_language(client, rep_jp):
    client.force_login(rep_jp)
    api_reference.cache_clear()
    for _ in range(3):
        assert client.get("/api/docs/").status_code == 200
    assert api_reference.cache_info().misses == 1
