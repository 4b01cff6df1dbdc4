"""Every free text of a demand has a maximum: the form says so, keeps what was typed, writes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.html import escape

from demands.models import Demand, SurveyCampaign

pytestmark = pytest.mark.django_db


def test_every_free_text_of_a_demand_has_a_maximum():
    for model in (Demand, SurveyCampaign):
        texts = [f for f in model._meta.get_fields() if f.get_internal_type() == "TextField"]
        assert {f.name for f in texts if f.max_length is None} <= {"search_text"}  # derived


def test_form_shows_the_message_and_keeps_what_was_typed(client, enterprise_tn):
    limit = Demand._meta.get_field("problem").max_length
    problem = "chè " * limit + "."
    client.force_login(enterprise_tn)
    response = client.post(
        reverse("demands:create"),
        {
            "title": "Dây chuyền làm héo chè tự động",
            "problem": problem,
            "visibility": "public",
        },
    )
    assert response.status_code == 400
    try:
        MaxLengthValidator(limit)(problem)
    except ValidationError as error:
        message = error.messages[0]
    html = response.content.decode()
    assert escape(message) in html
    assert 'value="Dây chuyền làm héo chè tự động"' in html and "chè " * 100 in html
    assert not Demand.objects.exists()
