import datetime

import factory

from demands.models import Demand, SurveyCampaign
from portal.text import search_blob
from tests.factories import OrganizationFactory


class DemandFactory(factory.django.DjangoModelFactory):
    """A complete demand (it passes the completeness check) in the given status."""

    class Meta:
        model = Demand
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    province = factory.LazyAttribute(lambda o: o.organization.province)
    title = factory.Sequence(lambda n: f"Dây chuyền chế biến chè xanh số {n}")
    problem = (
        "Làm héo và vò chè thủ công mất nhiều giờ, chất lượng không đồng đều giữa các mẻ; "
        "khách hàng châu Âu trả lại nhiều lô hàng vì màu nước."
    )
    current_situation = "Hai máy sấy thùng quay, vò chè thủ công."
    expected_result = "Công suất 2 tấn chè búp tươi mỗi ngày, độ ẩm thành phẩm dưới 5%."
    keywords = "chè xanh, làm héo"
    budget_min_vnd = 500_000_000
    budget_max_vnd = 2_000_000_000
    wanted_by = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=365))
    visibility = "anonymised"
    status = Demand.Status.DRAFT
    search_text = factory.LazyAttribute(
        lambda o: search_blob(
            o.title, o.problem, o.current_situation, o.expected_result, o.keywords
        )
    )

    @factory.post_generation
    def fields(obj, create, extracted, **kwargs):
        if create:
            obj.fields.set(extracted if extracted is not None else ["2.11"])

    @factory.post_generation
    def cooperation(obj, create, extracted, **kwargs):
        if create:
            obj.cooperation.set(extracted if extracted is not None else ["equipment_purchase"])


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyCampaign

    name = factory.Sequence(lambda n: f"Khảo sát nhu cầu công nghệ {n}")
    year = 2026
    opens_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=60))
