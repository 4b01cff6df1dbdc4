"""Issue 15's conversation in a browser: after both sides accept an introduction,
enterprise.electronics and rep.japan exchange three messages, each one notified by email in
the reader's language and counted in the top bar until read."""

import pytest
from django.core import mail

from accounts.models import Organization, User
from connections import services
from demands.models import Demand
from matching.models import Answer, Match
from offers.models import Offer

from .conftest import switch_user

pytestmark = pytest.mark.django_db(transaction=True)  # live_server: runs after the other tests

FIRM = "enterprise.electronics@demo.local"
REP = "rep.japan@demo.local"


def _consented_pair() -> Match:
    """A pair of the firm's published demand and a Japanese offer, introduced and accepted by
    both sides through the services (the review queue has its own tests)."""
    firm, rep = User.objects.get(email=FIRM), User.objects.get(email=REP)
    match = Match.objects.filter(
        demand__organization=firm.organization,
        offer__representation=rep.organization,
        status__in=Match.REVIEW_STATUSES,
    ).first()
    if match is None:
        demand = Demand.objects.filter(
            organization=firm.organization, status=Demand.Status.PUBLISHED
        ).first()
        offer = Offer.objects.filter(
            representation=rep.organization, status=Offer.Status.PUBLISHED
        ).first()
        match = Match.objects.create(demand=demand, offer=offer, score=0.7, engine_version="e2e")
    staff = User.objects.filter(
        organization__kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
        organization__province_id=match.demand.province_id,
    ).first()
    services.match_introduce(match=match, by=staff)
    services.match_answer(match=match, by=firm, answer=Answer.INTERESTED)
    services.match_answer(match=match, by=rep, answer=Answer.INTERESTED)
    match.refresh_from_db()
    assert match.status == Match.Status.CONSENTED
    return match


def _write(page, url: str, text: str) -> None:
    page.goto(url)
    page.fill("#message-form textarea[name=body]", text)
    page.click("#message-form button[type=submit]")
    page.wait_for_load_state()
    assert text in page.inner_text("#channel-shared")


def test_firm_and_representative_exchange_three_messages(demo, page, sign_in, live_server):
    match = _consented_pair()
    thread = f"{live_server.url}/matching/{match.pk}/thread/"
    mail.outbox.clear()

    page = sign_in(FIRM)
    page.goto(f"{live_server.url}/matching/{match.pk}/")
    page.click("#thread a")
    page.wait_for_load_state()
    _write(page, thread, "Chúng tôi muốn xem bản vẽ kỹ thuật.")
    to_rep = [m for m in mail.outbox if m.to == [REP]]
    assert len(to_rep) == 1 and "Chúng tôi muốn xem bản vẽ kỹ thuật." in to_rep[0].body
    assert "Demand: " in to_rep[0].body  # rep.japan reads English (the demo's preference)

    page = switch_user(page, sign_in, REP)
    page.goto(f"{live_server.url}/matching/{match.pk}/")
    assert page.inner_text("#unread-messages").strip().endswith("1")
    _write(page, thread, "Drawings attached next week; which voltage do you use?")
    assert "Chúng tôi muốn xem bản vẽ kỹ thuật." in page.inner_text("#channel-shared")
    assert page.locator("#unread-messages").count() == 0  # read once the thread was open
    to_firm = [m for m in mail.outbox if m.to == [FIRM]]
    assert len(to_firm) == 1 and "which voltage" in to_firm[0].body
    assert "Nhu cầu: " in to_firm[0].body  # the firm reads Vietnamese

    page = switch_user(page, sign_in, FIRM)
    _write(page, thread, "Điện áp 380 V, ba pha.")
    shared = page.inner_text("#channel-shared")
    assert "which voltage" in shared and "Điện áp 380 V" in shared
    assert len([m for m in mail.outbox if m.to == [REP]]) == 2
    assert match.messages.count() == 3
