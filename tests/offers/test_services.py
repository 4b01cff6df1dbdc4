"""The offer lifecycle: drafts, completeness, similar-offer warning, matching, expiry, reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from offers import selectors, services
from offers.models import Offer
from portal.models import CooperationType, Field, TechnologyReadinessLevel

from .factories import OfferFactory

pytestmark = pytest.mark.django_db

COMPLETE = {
    "provider_name": "Yamada Robotics",
    "provider_type": "company",
    "provider_country": "JP",
    "title": "Vision-guided mould polishing robot",
    "summary": "A six-axis robot with force control and a camera that polishes injection moulds to a mirror finish.",
    "title_vi": "Robot đánh bóng khuôn dẫn hướng bằng thị giác",
    "summary_vi": "Robot sáu trục đánh bóng khuôn ép nhựa đến độ bóng gương.",
    "advantages": "Cuts polishing time from two days to five hours and needs no skilled polisher.",
    "ip_status": "patent_granted",
    "patent_numbers": "JP 7012345",
}


def complete_data():
    return {
        **COMPLETE,
        "trl": TechnologyReadinessLevel.objects.get(level=8),
        "fields": [Field.objects.get(code="2.03")],
        "cooperation": list(CooperationType.objects.filter(code="license")),
    }


def test_draft_saves_with_almost_nothing(rep_jp):
    offer = services.offer_create(by=rep_jp, data={"title": "Chè xanh"})
    assert offer.status == "draft"
    assert offer.representation == rep_jp.organization
    assert offer.search_text == "che xanh"
    assert offer.events.get().to_status == "draft"


def test_create_refused_to_an_enterprise(enterprise_tn):
    with pytest.raises(PermissionDenied):
        services.offer_create(by=enterprise_tn, data={"title": "x"})


def test_publish_refuses_an_incomplete_offer_and_names_the_gaps(rep_jp):
    offer = services.offer_create(by=rep_jp, data={"title": "Half written"})
    with pytest.raises(services.OfferIncomplete) as refused:
        services.offer_publish(offer=offer, by=rep_jp)
    assert {
        "summary",
        "advantages",
        "trl",
        "ip_status",
        "fields",
        "cooperation",
        "provider_name",
        "provider_country",
    } <= set(refused.value.message_dict)
    offer.refresh_from_db()
    assert offer.status == "draft"


def test_publish_records_event_and_queues_matching_after_commit(
    rep_jp, django_capture_on_commit_callbacks
):
    offer = services.offer_create(by=rep_jp, data=complete_data())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.offer_publish(offer=offer, by=rep_jp)
    offer.refresh_from_db()
    assert offer.status == "published" and offer.published_at
    assert list(offer.events.values_list("to_status", flat=True)) == ["draft", "published"]
    # matching queued once (the other callback forgets the publisher's kept dashboard figures)
    assert sum("matching.match_offer" in repr(callback) for callback in callbacks) == 1


def test_editing_a_published_offer_queues_matching_and_keeps_it_complete(
    rep_jp, offer_jp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.offer_update(offer=offer_jp, by=rep_jp, data={"keywords": "robot, khuôn"})
    assert len(callbacks) == 1
    with pytest.raises(services.OfferIncomplete):
        services.offer_update(offer=offer_jp, by=rep_jp, data={"summary": "too short"})
    offer_jp.refresh_from_db()
    assert offer_jp.summary.startswith("A compact machine")


def test_similar_title_same_provider_asks_for_confirmation(rep_jp, offer_jp):
    offer = services.offer_create(
        by=rep_jp, data={**complete_data(), "title": "Vision guided mould polishing robots"}
    )
    with pytest.raises(services.SimilarOffersFound) as found:
        services.offer_publish(offer=offer, by=rep_jp)
    assert found.value.similar == [offer_jp]
    services.offer_publish(offer=offer, by=rep_jp, confirm_similar=True)
    offer.refresh_from_db()
    assert offer.status == "published"


def test_different_provider_or_title_is_not_similar(rep_jp, offer_jp):
    other_provider = services.offer_create(
        by=rep_jp, data={**complete_data(), "provider_name": "Other"}
    )
    other_title = services.offer_create(
        by=rep_jp, data={**complete_data(), "title": "Tea leaf sorter"}
    )
    assert selectors.offers_similar_to(other_provider, user=rep_jp) == []
    assert selectors.offers_similar_to(other_title, user=rep_jp) == []


def test_publish_page_shows_similar_offers_then_publishes_on_confirm(client, rep_jp, offer_jp):
    offer = services.offer_create(
        by=rep_jp, data={**complete_data(), "title": "Vision-guided mould polishing robot"}
    )
    client.force_login(rep_jp)
    url = reverse("offers:publish", args=[offer.pk])
    page = client.get(url)
    assert offer_jp.get_absolute_url() in page.content.decode()
    client.post(url)
    offer.refresh_from_db()
    assert offer.status == "draft"
    response = client.post(url, {"confirm_similar": "on"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "published"


def test_form_keeps_typed_values_when_a_value_is_malformed(client, rep_jp):
    client.force_login(rep_jp)
    response = client.post(
        reverse("offers:create"),
        {
            "title": "Robot gắp chi tiết",
            "summary": "Typed text that must survive",
            "valid_until": "not a date",
            "provider_type": "company",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Typed text that must survive" in body and "Robot gắp chi tiết" in body
    assert not Offer.objects.exists()


def test_form_saves_an_incomplete_draft_then_publishes_once_complete(client, rep_jp):
    client.force_login(rep_jp)
    response = client.post(reverse("offers:create"), {"title": "Robot", "provider_type": "company"})
    offer = Offer.objects.get()
    assert response["Location"] == reverse("offers:edit", args=[offer.pk])
    fields = Field.objects.get(code="2.03")
    response = client.post(
        reverse("offers:edit", args=[offer.pk]),
        {
            **COMPLETE,
            "trl": 8,
            "fields": [fields.pk],
            "cooperation": ["license"],
            "publish": "1",
            "valid_until": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert response["Location"] == reverse("offers:publish", args=[offer.pk])
    client.post(response["Location"])
    offer.refresh_from_db()
    assert offer.status == "published"
    assert offer.language == "en"
    assert offer.fields.get() == fields


def test_archive_and_republish(rep_jp, offer_jp):
    services.offer_archive(offer=offer_jp, by=rep_jp)
    with pytest.raises(PermissionDenied):
        services.offer_archive(offer=offer_jp, by=rep_jp)
    services.offer_publish(offer=offer_jp, by=rep_jp)
    offer_jp.refresh_from_db()
    assert offer_jp.status == "published"


def test_expired_offers_archive_themselves(rep_jp):
    today = timezone.localdate()
    expired = OfferFactory(
        representation=rep_jp.organization, valid_until=today - dt.timedelta(days=1)
    )
    last_day = OfferFactory(representation=rep_jp.organization, valid_until=today)
    draft = OfferFactory(
        representation=rep_jp.organization, status="draft", valid_until=today - dt.timedelta(days=3)
    )
    from offers.tasks import archive_expired

    assert archive_expired.apply().get() == 1
    assert services.offers_archive_expired() == 0  # idempotent
    statuses = dict(Offer.objects.values_list("pk", "status"))
    assert statuses == {expired.pk: "archived", last_day.pk: "published", draft.pk: "draft"}
    assert expired.events.get().note == "expired"


def test_reminder_email_fourteen_days_before_once(rep_jp, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    due = OfferFactory(
        representation=rep_jp.organization,
        created_by=rep_jp,
        valid_until=today + dt.timedelta(days=14),
    )
    OfferFactory(
        representation=rep_jp.organization,
        created_by=rep_jp,
        valid_until=today + dt.timedelta(days=40),
    )
    from offers.tasks import remind_expiring

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_expiring.apply().get() == 1
    assert services.offers_remind_expiring() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep_jp.email]
    assert reverse("offers:edit", args=[due.pk]) in mail.outbox[0].body
    # A new date earns a new reminder.
    services.offer_update(offer=due, by=rep_jp, data={"valid_until": today + dt.timedelta(days=10)})
    assert services.offers_remind_expiring() == 1


def test_needs_without_answers_lists_published_demands_in_the_offers_fields(
    rep_jp, offer_jp, enterprise_tn, enterprise_bn
):
    from demands.models import Demand, Visibility

    def demand(org, title, code, **extra):
        d = Demand.objects.create(
            organization=org.organization,
            province=org.organization.province,
            title=title,
            status=extra.pop("status", "published"),
            visibility=extra.pop("visibility", Visibility.ANONYMISED),
            published_at=timezone.now(),
            **extra,
        )
        d.fields.set([code])
        return d

    wanted = demand(enterprise_tn, "Khuôn cần đánh bóng", "2.03")
    public = demand(enterprise_bn, "Public mould need", "2.03", visibility=Visibility.PUBLIC)
    demand(enterprise_tn, "Other field", "4.01")
    demand(enterprise_tn, "Confidential", "2.03", visibility=Visibility.CONFIDENTIAL)
    demand(enterprise_tn, "Draft", "2.03", status="draft")
    listed = list(selectors.demands_without_answers(rep_jp))
    assert set(listed) == {wanted, public}
    from django.test import Client

    client = Client()
    client.force_login(rep_jp)
    body = client.get(reverse("insights:dashboard_representative")).content.decode()
    assert "Khuôn cần đánh bóng" in body and "Public mould need" in body
    assert enterprise_tn.organization.name not in body  # anonymised: no firm name
    assert enterprise_bn.organization.name in body  # public: named


def test_a_saved_draft_is_embedded_before_it_is_published(
    rep_jp, django_capture_on_commit_callbacks
):
    from matching import corpus
    from matching.engine.embedder import text_hash
    from matching.models import Embedding

    with django_capture_on_commit_callbacks(execute=True):
        offer = services.offer_create(by=rep_jp, data=complete_data())
    stored = Embedding.objects.get(kind="offer", object_id=offer.id)
    assert stored.text_hash == text_hash(corpus.offer_profile(offer).full_text)
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_update(offer=offer, by=rep_jp, data={"keywords": "robot, khuôn"})
    stored.refresh_from_db()
    edited = type(offer).objects.get(pk=offer.pk)
    assert stored.text_hash == text_hash(corpus.offer_profile(edited).full_text)  # the new text
