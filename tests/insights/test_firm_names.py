"""The representative's dashboard names a firm only where `demand.view_identity` allows it
(the template asks the rule; the view passes plain demands)."""

import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory
from tests.matching.conftest import OFFERS, make_demand, make_offer

pytestmark = pytest.mark.django_db


def test_needs_without_answers_name_public_firms_only(client, rep_jp, thai_nguyen):
    make_offer(rep_jp.organization, **OFFERS[0])
    public = make_demand(
        OrganizationFactory(name="Chè Tân Cương Công khai", province=thai_nguyen),
        title="Dây chuyền sấy chè công khai",
        problem="Cần máy sấy chè xanh.",
        fields=OFFERS[0]["fields"],
        visibility="public",
    )
    hidden = make_demand(
        OrganizationFactory(name="Chè Ẩn Danh Ltd", province=thai_nguyen),
        title="Dây chuyền vò chè ẩn danh",
        problem="Cần máy vò chè xanh.",
        fields=OFFERS[0]["fields"],
        visibility="anonymised",
    )
    client.force_login(rep_jp)
    html = client.get(reverse("insights:dashboard_representative")).content.decode()
    assert public.title in html and hidden.title in html  # both listed as needs
    assert "Chè Tân Cương Công khai" in html
    assert "Chè Ẩn Danh Ltd" not in html
