"""An agreement recorded at signing is completed later with its registration certificate
(number and date), by the province's staff or the coordinator; dates that cannot be are
refused with a message beside what was typed (issue 15, section 5)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from connections import services
from connections.models import Agreement, MatchEvent
from matching.models import Answer, Match

from .conftest import OFFERS, make_offer

S = Match.Status
SIGNED = datetime.date(2026, 3, 2)


@pytest.fixture
def signed(tea_demand, rep_jp):
    """A Thái Nguyên connection at its agreement, registration still to come."""
    match = Match.objects.create(
        demand=tea_demand,
        offer=make_offer(rep_jp.organization, **OFFERS[0]),
        score=0.8,
        engine_version="t",
        status=S.AGREEMENT,
        introduced_at=timezone.now(),
        enterprise_answer=Answer.INTERESTED,
        representation_answer=Answer.INTERESTED,
    )
    Agreement.objects.create(
        match=match,
        kind=Agreement.Kind.TRANSFER_CONTRACT,
        signed_on=SIGNED,
        registration_required=True,
    )
    return match


@pytest.fixture
def negotiating(tea_demand, rep_jp):
    return Match.objects.create(
        demand=tea_demand,
        offer=make_offer(rep_jp.organization, **OFFERS[1]),
        score=0.7,
        engine_version="t",
        status=S.NEGOTIATING,
        introduced_at=timezone.now(),
        enterprise_answer=Answer.INTERESTED,
        representation_answer=Answer.INTERESTED,
    )


def registration_url(match) -> str:
    return reverse("connections:agreement_registration", args=[match.pk])


def registration(number="123/GCN-SKHCN", on="2026-03-20", required="on") -> dict:
    data = {"reg-registration_number": number, "reg-registered_on": on}
    if required:
        data["reg-registration_required"] = required
    return data


@pytest.mark.parametrize("who", ["staff_tn", "coordinator"])
def test_registration_completed_later_by_province_staff_or_coordinator(client, cast, who, signed):
    client.force_login(cast(who))
    page = client.get(reverse("connections:detail", args=[signed.pk]))
    assert b'id="agreement-registration"' in page.content
    response = client.post(registration_url(signed), registration())
    assert response.status_code == 302
    agreement = Agreement.objects.get(match=signed)
    assert agreement.registration_number == "123/GCN-SKHCN"
    assert agreement.registered_on == datetime.date(2026, 3, 20)
    event = MatchEvent.objects.filter(match=signed).latest("id")
    assert event.actor == cast(who) and event.from_status == event.to_status == S.AGREEMENT
    page = client.get(reverse("connections:detail", args=[signed.pk]))
    assert "123/GCN-SKHCN" in page.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),  # to the sign-in page
        ("enterprise_tn", 403),  # a party reads the agreement, does not edit it
        ("rep_jp", 403),
        ("enterprise_bn", 404),
        ("rep_de", 404),
        ("staff_bn", 404),  # another province's connection is out of sight
    ],
)
def test_registration_edit_refused(client, cast, who, status, signed):
    if who != "anonymous":
        client.force_login(cast(who))
        page = client.get(reverse("connections:detail", args=[signed.pk]))
        assert b'id="agreement-registration"' not in page.content
    response = client.post(registration_url(signed), registration())
    assert response.status_code == status
    if status == 302:
        assert reverse("accounts:login") in response["Location"]
    agreement = Agreement.objects.get(match=signed)
    assert agreement.registration_number == "" and agreement.registered_on is None


@pytest.mark.parametrize("who", ["enterprise_tn", "rep_jp", "staff_bn", "staff_tn"])
def test_registration_service_refused(cast, who, signed, negotiating):
    if who == "staff_tn":  # the right person, but nothing is signed yet
        with pytest.raises(PermissionDenied):
            services.agreement_complete(
                match=negotiating, by=cast(who), data={"registration_number": "1"}
            )
        return
    with pytest.raises(PermissionDenied):
        services.agreement_complete(match=signed, by=cast(who), data={"registration_number": "1"})


def test_registration_before_signing_refused_and_input_kept(client, in_english, staff_tn, signed):
    client.force_login(staff_tn)
    response = client.post(registration_url(signed), registration(on="2026-02-27"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "before the signing date" in text
    assert 'value="123/GCN-SKHCN"' in text and 'value="2026-02-27"' in text
    assert Agreement.objects.get(match=signed).registered_on is None
    # The saved facts above the form still say what is recorded, not what was typed.
    assert "27/02/2026" not in text.split('id="agreement-registration"')[0]


def test_registration_in_the_future_or_without_requirement_refused(
    client, in_english, staff_tn, signed
):
    client.force_login(staff_tn)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(registration_url(signed), registration(on=tomorrow.isoformat()))
    assert response.status_code == 200 and "in the future" in response.content.decode()
    response = client.post(registration_url(signed), registration(required=""))
    assert "Only an agreement that must be registered" in response.content.decode()
    assert Agreement.objects.get(match=signed).registration_number == ""


def test_future_signing_date_refused_with_the_input_kept(client, in_english, staff_tn, negotiating):
    client.force_login(staff_tn)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("connections:agreement", args=[negotiating.pk]),
        {
            "kind": "license",
            "value_vnd": "2500000000",
            "signed_on": tomorrow.isoformat(),
            "note": "Ký tại Thái Nguyên",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "is in the future" in text
    assert f'value="{tomorrow.isoformat()}"' in text and 'value="2500000000"' in text
    assert "Ký tại Thái Nguyên" in text
    negotiating.refresh_from_db()
    assert negotiating.status == S.NEGOTIATING and not Agreement.objects.exists()


def test_future_signing_date_refused_by_the_service(staff_tn, negotiating):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.match_record_agreement(
            match=negotiating, by=staff_tn, kind="license", signed_on=tomorrow
        )
    assert "signed_on" in refused.value.message_dict
    negotiating.refresh_from_db()
    assert negotiating.status == S.NEGOTIATING


def test_agreement_recorded_with_its_registration(client, staff_tn, negotiating):
    client.force_login(staff_tn)
    response = client.post(
        reverse("connections:agreement", args=[negotiating.pk]),
        {
            "kind": "technology_transfer_contract",
            "signed_on": "2026-03-02",
            "registration_required": "on",
            "registration_number": "45/2026/GCN",
            "registered_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(match=negotiating)
    assert (agreement.registration_number, agreement.registered_on) == ("45/2026/GCN", SIGNED)
