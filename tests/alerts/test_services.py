"""Saved searches deliver new published records, in one digest per period, only what the
owner may see, and never twice."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts import selectors, services
from alerts.models import Digest, Hit, SavedSearch
from notifications.models import Kind, Notification

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]  # `make run` sends alerts too

DRYER = "Máy sấy chè bằng bơm nhiệt"


def save(user, target="offers", query="", frequency="daily", name="Tìm kiếm"):
    return services.saved_search_create(
        user=user, target=target, query=query, name=name, frequency=frequency
    )


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_three_new_offers_arrive_in_one_digest_email(enterprise_tn, publish_offer, run_alerts):
    save(enterprise_tn, query="q=sấy", name="sấy")
    offers = [publish_offer(title_vi=f"{DRYER} số {n}") for n in range(3)]
    publish_offer(title_vi="Robot đánh bóng khuôn")  # not a match

    assert run_alerts("daily") == (1, 0)

    (message,) = mails_to(enterprise_tn)
    for offer in offers:
        assert offer.title_vi in message.body
        assert offer.get_absolute_url() in message.body
    assert "Robot" not in message.body
    assert "3" in message.subject
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (notification,) = Notification.objects.filter(user=enterprise_tn, kind=Kind.ALERT)
    assert all(offer.title_vi in notification.body for offer in offers)


def test_records_published_before_the_search_was_saved_are_not_sent(
    enterprise_tn, publish_offer, run_alerts
):
    publish_offer(title_vi=DRYER, published_at=timezone.now() - dt.timedelta(days=2))
    save(enterprise_tn, query="q=sấy")
    assert run_alerts("daily") == (0, 0)
    assert mail.outbox == []


def test_a_period_is_sent_once_and_nothing_is_sent_twice(enterprise_tn, publish_offer, run_alerts):
    saved = save(enterprise_tn, query="q=sấy")
    first = publish_offer(title_vi=f"{DRYER} A")
    today = timezone.now()
    assert run_alerts("daily", now=today) == (1, 0)
    assert run_alerts("daily", now=today) == (0, 0)  # the beat fired twice, or a re-delivery
    publish_offer(title_vi=f"{DRYER} B")
    assert run_alerts("daily", now=timezone.now()) == (0, 0)  # the same day: already sent
    assert len(mails_to(enterprise_tn)) == 1

    assert run_alerts("daily", now=timezone.now() + dt.timedelta(days=1)) == (1, 0)
    second = mails_to(enterprise_tn)[1]
    assert f"{DRYER} B" in second.body
    assert first.title_vi not in second.body  # delivered yesterday: never again
    assert Digest.objects.filter(saved_search=saved).count() == 2
    assert Hit.objects.filter(saved_search=saved).count() == 2


def test_a_failed_run_sends_nothing_and_its_retry_sends_once(
    enterprise_tn, publish_offer, run_alerts, monkeypatch
):
    saved = save(enterprise_tn, query="q=sấy")
    publish_offer(title_vi=DRYER)
    real_announce = services._announce

    def broken(*args, **kwargs):
        real_announce(*args, **kwargs)  # the mail is queued, then the transaction fails
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_announce", broken)
    now = timezone.now()
    assert run_alerts("daily", now=now) == (0, 1)
    assert mail.outbox == []
    assert not Digest.objects.exists()
    assert not Notification.objects.filter(kind=Kind.ALERT).exists()

    monkeypatch.setattr(services, "_announce", real_announce)
    assert run_alerts("daily", now=now + dt.timedelta(minutes=5)) == (1, 0)  # the retry
    assert run_alerts("daily", now=now + dt.timedelta(minutes=10)) == (0, 0)
    assert len(mails_to(enterprise_tn)) == 1
    assert Digest.objects.get(saved_search=saved).record_count == 1


def test_the_send_task_takes_its_period_and_is_idempotent(enterprise_tn, publish_offer):
    from alerts.tasks import send_digests

    save(enterprise_tn, query="q=sấy")
    publish_offer(title_vi=DRYER)
    period = services.period_of("daily", timezone.now())
    assert send_digests.apply(args=("daily", period)).get() == 1
    assert send_digests.apply(args=("daily", period)).get() == 0


def test_weekly_and_instant_searches_wait_for_their_own_run(
    enterprise_tn, publish_offer, run_alerts
):
    weekly = save(enterprise_tn, query="q=sấy", frequency="weekly")
    instant = save(enterprise_tn, query="q=bơm nhiệt", frequency="instant")
    publish_offer(title_vi=DRYER)
    assert run_alerts("daily") == (0, 0)
    assert run_alerts("instant") == (1, 0)
    assert run_alerts("weekly") == (1, 0)
    assert set(Digest.objects.values_list("saved_search", flat=True)) == {weekly.pk, instant.pk}
    assert services.period_of("weekly", dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC)) == (
        "w:2026-W49"
    )


# --- the owner's permission scope ----------------------------------------------------------------


def test_demand_alerts_never_deliver_a_confidential_demand_or_name_an_anonymised_firm(
    enterprise_bn, rep_de, enterprise_tn, publish_demand, run_alerts
):
    save(enterprise_bn, target="demands", query="scope=published")
    save(rep_de, target="demands", query="")
    public = publish_demand(visibility="public", title="Dây chuyền công khai")
    anonymised = publish_demand(visibility="anonymised", title="Nhu cầu ẩn danh")
    confidential = publish_demand(visibility="confidential", title="Nhu cầu mật")
    publish_demand(status="submitted", published_at=None, title="Chưa duyệt")

    assert run_alerts("daily") == (2, 0)
    for user in (enterprise_bn, rep_de):
        (message,) = mails_to(user)
        assert public.title in message.body
        assert anonymised.title in message.body
        assert confidential.title not in message.body
        assert "Chưa duyệt" not in message.body
        assert enterprise_tn.organization.name not in message.body


def test_province_staff_are_alerted_of_their_provinces_confidential_demand_only(
    staff_tn, staff_bn, publish_demand, run_alerts
):
    save(staff_tn, target="demands", query="scope=province")
    save(staff_bn, target="demands", query="scope=published")
    confidential = publish_demand(visibility="confidential", title="Nhu cầu mật Thái Nguyên")
    assert run_alerts("daily") == (1, 0)
    assert confidential.title in mails_to(staff_tn)[0].body
    assert mails_to(staff_bn) == []


def test_offer_alerts_never_deliver_drafts_or_archived_offers(
    rep_de, enterprise_tn, publish_offer, run_alerts
):
    for user in (rep_de, enterprise_tn):
        save(user, query="")
    published = publish_offer(title_vi="Công bố")
    publish_offer(title_vi="Bản nháp", status="draft")
    publish_offer(title_vi="Lưu trữ", status="archived")
    assert run_alerts("daily") == (2, 0)
    for user in (rep_de, enterprise_tn):
        (message,) = mails_to(user)
        assert published.title_vi in message.body
        assert "Bản nháp" not in message.body
        assert "Lưu trữ" not in message.body


def test_a_deactivated_owner_gets_nothing(enterprise_tn, publish_offer, run_alerts):
    save(enterprise_tn, query="q=sấy")
    enterprise_tn.is_active = False
    enterprise_tn.save()
    publish_offer(title_vi=DRYER)
    assert run_alerts("daily") == (0, 0)
    assert mail.outbox == []


# --- the representative's automatic alert --------------------------------------------------------


def test_representatives_are_alerted_of_demands_in_their_offers_fields(
    rep_jp, rep_de, publish_offer, publish_demand, run_alerts
):
    publish_offer(relations={"fields": ["2.03"]})
    in_field = publish_demand(visibility="public", fields=["2.03"], title="Khuôn mẫu 2.03")
    publish_demand(visibility="public", fields=["2.11"], title="Chè 2.11")

    assert run_alerts("daily") == (1, 0)
    default = SavedSearch.objects.get(user=rep_jp, is_default=True)
    assert not SavedSearch.objects.filter(user=rep_de).exists()  # publishes no offer
    (message,) = mails_to(rep_jp)
    assert in_field.title in message.body
    assert "Chè 2.11" not in message.body
    assert [f.code for f in selectors.default_fields(default)] == ["2.03"]


def test_a_switched_off_automatic_alert_stays_off(
    rep_jp, publish_offer, publish_demand, run_alerts
):
    publish_offer(relations={"fields": ["2.03"]})
    services.default_alerts_ensure()
    default = SavedSearch.objects.get(user=rep_jp, is_default=True)
    services.saved_search_update(
        saved_search=default, by=rep_jp, name=default.name, frequency="daily", is_active=False
    )
    publish_demand(visibility="public", fields=["2.03"])
    assert run_alerts("daily") == (0, 0)
    assert SavedSearch.objects.filter(user=rep_jp).count() == 1


# --- saving ---------------------------------------------------------------------------------------


def test_a_saved_query_is_the_lists_own_checked_and_normalised(enterprise_tn):
    saved = save(enterprise_tn, query="page=3&trl_min=4&q=+sấy+&bogus=1&country=")
    assert saved.query == "q=s%E1%BA%A5y&trl_min=4"
    assert saved.list_url == "/offers/?q=s%E1%BA%A5y&trl_min=4"
    with pytest.raises(ValidationError):
        save(enterprise_tn, query="field=9.99")
    with pytest.raises(ValidationError):
        save(enterprise_tn, query="trl_min=4&q=sấy")  # the same search twice
    with pytest.raises(ValidationError):
        save(enterprise_tn, target="demands", query="trl=42")
    with pytest.raises(ValidationError):
        save(enterprise_tn, query="q=" + "sấy " * 200)


def test_an_enterprise_cannot_filter_its_alerts_by_another_provinces_campaign(enterprise_tn):
    saved = save(enterprise_tn, target="demands", query="scope=published&campaign=1")
    assert saved.query == "scope=published"


def test_english_readers_get_their_digest_in_english(enterprise_tn, publish_offer, run_alerts):
    if not hasattr(enterprise_tn, "language"):
        pytest.skip("no language preference on the profile yet")
    enterprise_tn.language = "en"
    enterprise_tn.save()
    save(enterprise_tn, query="q=sấy", name="sấy")
    offer = publish_offer(title_vi=DRYER, title="Heat-pump tea dryer")
    run_alerts("daily")
    (message,) = mails_to(enterprise_tn)
    assert message.subject == "1 new offer for «sấy»"
    assert "Heat-pump tea dryer" in message.body  # the author's English title
    assert DRYER not in message.body
    assert "Japan" in message.body
    assert offer.get_absolute_url() in message.body
    assert "Stop these alerts (no sign-in needed):" in message.body
