"""Search in the demand list and the demands API: accents, meaning across languages, scope."""

import pytest
from django.urls import reverse

from demands.models import Demand
from demands.selectors import demand_list_visible_to, demand_search
from matching import corpus, services
from matching import search as semantic
from portal.search import explain
from tests.conftest import CAST
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db
S = Demand.Status


@pytest.fixture(autouse=True)
def _fresh_search_vectors():
    semantic.forget()
    yield
    semantic.forget()


def _found(user, text, scope="all"):
    return list(demand_search(demand_list_visible_to(user, scope=scope), text))


@pytest.fixture
def tea_and_making(make_demand):
    tea = make_demand(
        title="Phân loại màu chè xanh thành phẩm",
        problem="Chè xanh lẫn cọng.",
        keywords="chè",
        status=S.PUBLISHED,
    )
    making = make_demand(
        title="Tự động hóa chế tạo khuôn",
        problem="Chế tạo khuôn chậm.",
        current_situation="",
        expected_result="",
        keywords="khuôn",
        status=S.PUBLISHED,
    )
    return tea, making


def test_demand_search_prefers_the_exact_accents(staff_tn, tea_and_making):
    tea, making = tea_and_making
    found = [d for d in _found(staff_tn, "chè") if d.search_lexical]
    assert found == [tea]
    assert "«chè»" in explain(found[0], "chè")
    assert {tea, making} <= set(_found(staff_tn, "che"))


def test_demand_search_keeps_whole_words(make_demand, staff_tn):
    irrigation = make_demand(
        title="Tưới nhỏ giọt cho đồi chè",
        problem="Thiếu nước tưới.",
        current_situation="",
        expected_result="",
        keywords="tưới",
        status=S.PUBLISHED,
    )
    fresh = make_demand(
        title="Giữ chè búp tươi khi vận chuyển",
        problem="Chè tươi bị héo.",
        current_situation="",
        expected_result="",
        keywords="tươi",
        status=S.PUBLISHED,
    )
    assert [d for d in _found(staff_tn, "tưới") if d.search_lexical] == [irrigation]
    assert [d for d in _found(staff_tn, "tươi") if d.search_lexical] == [fresh]


def test_an_english_word_finds_a_vietnamese_demand_by_meaning(make_demand, rep_jp):
    wastewater = make_demand(
        title="Xử lý nước thải nhỏ gọn cho nhà máy linh kiện",
        problem="Nước thải xi mạ chứa đồng và niken vượt quy chuẩn; hệ thống xử lý hiện có "
        "quá tải.",
        current_situation="Bể lắng hóa chất thủ công.",
        expected_result="Nước thải đạt QCVN 40, tái sử dụng một phần.",
        keywords="xử lý nước thải, kim loại nặng",
        status=S.PUBLISHED,
    )
    tea = make_demand(status=S.PUBLISHED)  # the factory's tea-processing demand
    for title, summary in [
        (
            "Electrocoagulation treatment of metal plating wastewater",
            "Removes copper and nickel from plating wastewater without chemicals.",
        ),
        (
            "Closed-loop electrocoagulation units for industrial wastewater",
            "Treats and reuses industrial wastewater on site.",
        ),
    ]:
        OfferFactory(
            representation=rep_jp.organization,
            created_by=rep_jp,
            title=title,
            summary=summary,
            title_vi="",
            summary_vi="",
            advantages="",
        )
    corpus.vectors_for("offer", corpus.all_offer_profiles())
    services.match_demand(demand_id=wastewater.id)  # as publishing does
    services.match_demand(demand_id=tea.id)

    found = _found(rep_jp, "wastewater")
    assert wastewater in found
    assert tea not in found
    row = found[found.index(wastewater)]
    assert not row.search_lexical and row.search_semantic > 0


def test_demand_list_combines_search_with_filters_and_sort(client, make_demand, staff_tn):
    published = make_demand(title="Sấy chè bằng bơm nhiệt", status=S.PUBLISHED)
    submitted = make_demand(title="Đóng gói túi lọc", status=S.SUBMITTED)  # "chè" in its text
    make_demand(
        title="Khuôn ép nhựa",
        problem="Khuôn mòn nhanh.",
        current_situation="",
        expected_result="",
        keywords="khuôn",
        status=S.PUBLISHED,
    )
    client.force_login(staff_tn)
    url = reverse("demands:list")

    response = client.get(url, {"scope": "province", "q": "chè", "status": S.SUBMITTED})
    assert list(response.context["page"]) == [submitted]
    assert "«chè»" in response.content.decode()

    by_relevance = client.get(url, {"scope": "province", "q": "chè"})
    assert list(by_relevance.context["page"]) == [published, submitted]  # a word in the title
    by_date = client.get(url, {"scope": "province", "q": "chè", "sort": "-created"})
    assert list(by_date.context["page"]) == [submitted, published]  # a chosen sort wins


def test_demand_api_search_for_representatives(make_demand, rep_jp):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    tea = make_demand(title="Phân loại màu chè xanh", status=S.PUBLISHED)
    make_demand(
        title="Tự động hóa chế tạo khuôn",
        problem="Chế tạo chậm.",
        current_situation="",
        expected_result="",
        keywords="khuôn",
        status=S.PUBLISHED,
    )
    make_demand(title="Bí mật: phân loại chè", visibility="confidential", status=S.PUBLISHED)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=rep_jp).key}")
    response = api.get("/api/demands/", {"q": "chè"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [tea.pk]


@pytest.mark.parametrize("who", CAST)
def test_search_never_reveals_a_confidential_demand_or_a_draft(
    client, cast, who, make_demand, enterprise_bn
):
    confidential = make_demand(
        title="Bí mật: sấy chè bằng vi sóng", visibility="confidential", status=S.PUBLISHED
    )
    draft = make_demand(title="Nháp: sấy chè bằng hồng ngoại", status=S.DRAFT)
    corpus.vectors_for(
        "demand", [*corpus.all_demand_profiles(), corpus.demand_profile(draft)]
    )  # as if once matched
    user = cast(who)
    if who != "anonymous":
        client.force_login(user)
    may_see_confidential = who in ("enterprise_tn", "staff_tn", "coordinator", "superuser")
    may_see_draft = who == "enterprise_tn"
    for query in ("sấy chè", "say che", "vi sóng", "microwave tea drying"):
        response = client.get(reverse("demands:list"), {"q": query, "scope": "all"})
        if who == "anonymous":
            assert response.status_code == 302
            continue
        shown = list(response.context["page"]) if response.status_code == 200 else []
        if not may_see_confidential:
            assert confidential not in shown, (who, query)
            assert confidential.title not in response.content.decode()
        if not may_see_draft:
            assert draft not in shown, (who, query)
            assert draft.title not in response.content.decode()
