"""Every free text of an offer has a maximum: the API answers 400 in JSON, the form says so and
keeps what was typed, and nothing is written."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.html import escape
from rest_framework import serializers

from offers.models import Offer

from ..api.test_contract import NEW_OFFER

pytestmark = pytest.mark.django_db

LIMIT = Offer._meta.get_field("description").max_length


def form_message(limit: int, size: int) -> str:
    try:
        MaxLengthValidator(limit)("x" * size)
    except ValidationError as error:
        return error.messages[0]
    raise AssertionError("not too long")


def test_every_free_text_of_an_offer_has_a_maximum():
    texts = [f for f in Offer._meta.get_fields() if f.get_internal_type() == "TextField"]
    assert {f.name for f in texts if f.max_length is None} == {"search_text"}  # derived, not typed


def test_api_refuses_an_11_mb_description_with_the_fields_message(api, rep_jp):
    sentence = "Vision-guided mould polishing robot. "
    body = {**NEW_OFFER, "description": sentence * (11_000_000 // len(sentence))}  # 11 MB
    response = api(rep_jp).post("/api/offers/", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    message = serializers.CharField(max_length=LIMIT).error_messages["max_length"]
    assert response.json()["description"] == [message.format(max_length=LIMIT)]
    assert not Offer.objects.exists()


def test_api_accepts_a_description_at_the_limit(api, rep_jp):
    response = api(rep_jp).post(
        "/api/offers/", {**NEW_OFFER, "description": "x" * LIMIT}, format="json"
    )
    assert response.status_code == 201
    assert len(Offer.objects.get().description) == LIMIT


def test_form_shows_the_message_and_keeps_what_was_typed(client, rep_jp):
    client.force_login(rep_jp)
    response = client.post(
        reverse("offers:create"),
        {
            "provider_name": "Yamada Robotics",
            "provider_type": "company",
            "provider_country": "JP",
            "title": "Robot đánh bóng khuôn",
            "description": "x" * (LIMIT + 1),
        },
    )
    html = response.content.decode()
    assert escape(form_message(LIMIT, LIMIT + 1)) in html
    assert 'value="Robot đánh bóng khuôn"' in html and "x" * (LIMIT + 1) in html
    assert not Offer.objects.exists()
