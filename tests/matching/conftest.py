"""Published demands and offers with real texts, for matching tests at the service level."""

import pytest

from demands.models import Demand
from offers.models import Offer
from portal.models import CooperationType, Field
from portal.text import search_blob


def make_demand(
    organization,
    *,
    title,
    problem,
    fields=("2.02",),
    language="vi",
    status=Demand.Status.PUBLISHED,
    visibility="anonymised",
    trl_min=None,
    cooperation=("technology_transfer",),
    countries="",
):
    demand = Demand.objects.create(
        organization=organization,
        province_id=organization.province_id,
        title=title,
        problem=problem,
        language=language,
        status=status,
        visibility=visibility,
        trl_min_id=trl_min,
        preferred_countries=countries,
        search_text=search_blob(title, problem),
    )
    demand.fields.set(Field.objects.filter(code__in=fields))
    demand.cooperation.set(CooperationType.objects.filter(code__in=cooperation))
    return demand


def make_offer(
    representation,
    *,
    title,
    summary,
    fields=("2.02",),
    language="en",
    trl=7,
    country="JP",
    status=Offer.Status.PUBLISHED,
    cooperation=("technology_transfer",),
):
    offer = Offer.objects.create(
        representation=representation,
        provider_name=f"Provider of {title[:40]}",
        provider_country=country,
        title=title,
        summary=summary,
        language=language,
        trl_id=trl,
        status=status,
        search_text=search_blob(title, summary),
    )
    offer.fields.set(Field.objects.filter(code__in=fields))
    offer.cooperation.set(CooperationType.objects.filter(code__in=cooperation))
    return offer


TEA_DEMAND = {
    "title": "Công nghệ chế biến chè xanh chất lượng cao",
    "problem": "Doanh nghiệp cần dây chuyền sao sấy và vò chè xanh tự động, kiểm soát nhiệt độ, "
    "giữ màu xanh và hương cốm của chè Tân Cương để xuất khẩu.",
    "fields": ("4.01",),
}
OFFERS = [
    {
        "title": "Automated green tea processing line",
        "summary": "Steaming, rolling and drying machines for green tea with precise temperature "
        "control that keeps the colour and aroma of the leaves; installed in tea factories.",
        "fields": ("4.01",),
        "language": "en",
        "country": "JP",
    },
    {
        "title": "Máy sấy chè bằng bơm nhiệt",
        "summary": "Thiết bị sấy chè và nông sản bằng bơm nhiệt, tiết kiệm năng lượng, giữ hương vị.",
        "fields": ("4.01",),
        "language": "vi",
        "country": "KR",
    },
    {
        "title": "High-density PCB assembly robot",
        "summary": "Surface-mount robots that place and solder components on printed circuit boards.",
        "fields": ("2.02",),
        "language": "en",
        "country": "DE",
    },
    {
        "title": "Tungsten concentrate refining process",
        "summary": "Hydrometallurgical route to refine tungsten concentrate into APT with low waste.",
        "fields": ("2.05",),
        "language": "en",
        "country": "DE",
    },
]


@pytest.fixture
def tea_demand(enterprise_tn):
    return make_demand(enterprise_tn.organization, **TEA_DEMAND)


@pytest.fixture
def offers(rep_jp):
    return [make_offer(rep_jp.organization, **spec) for spec in OFFERS]
