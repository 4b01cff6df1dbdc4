"""The one outbound mail path: every mail is queued after commit, sent by one Celery task
(`notifications.send_mail`), honours the recipient's choices for optional kinds and survives an
SMTP failure. Tasks run in-process here (CELERY_TASK_ALWAYS_EAGER), mail lands in locmem."""

import datetime as dt
import uuid

import pytest
from celery.signals import task_prerun
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from demands import services as demand_services
from notifications import tasks
from notifications.models import EmailPreference, Kind, Notification
from notifications.services import notify
from offers import services as offer_services
from offers.models import Offer

from ..demands.factories import CampaignFactory
from ..factories import OrganizationFactory, UserFactory
from ..offers.factories import OfferFactory
from . import backends

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]  # make run mails on SQLite too


@pytest.fixture
def mail_tasks():
    """Names of the tasks run, in order."""
    names = []

    def record(sender=None, **_kwargs):
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def register(request, client):
    staff_tn = request.getfixturevalue("staff_tn")
    organization = OrganizationFactory.build(
        province=staff_tn.organization.province, tax_code="4600999002"
    )
    account_services.enterprise_register(
        organization=organization,
        email="new@firm.example",
        password="a long pass phrase",
        full_name="An",
    )
    return [staff_tn.email]


def review(request, client):
    pending = request.getfixturevalue("pending_enterprise_tn")
    staff_tn = request.getfixturevalue("staff_tn")
    account_services.organization_review(
        organization=pending.organization, by=staff_tn, approve=True
    )
    return [pending.email]


def invite(request, client):
    rep_jp = request.getfixturevalue("rep_jp")
    account_services.user_invite(user=rep_jp)
    return [rep_jp.email]


def ask_reset(client):
    """A reset for an address and from an IP of this test's own: the limits count in Redis."""
    n = uuid.uuid4().int
    user = UserFactory(email=f"reset-{n % 10**12}@demo.local")
    ip = f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"
    response = client.post(
        reverse("accounts:password_reset"), {"email": user.email}, REMOTE_ADDR=ip
    )
    return user, response


def reset_password(request, client):
    user, _response = ask_reset(client)
    return [user.email]


def invite_to_campaign(request, client):
    staff_tn = request.getfixturevalue("staff_tn")
    campaign = CampaignFactory(province=staff_tn.organization.province)
    demand_services.campaign_invite(
        campaign=campaign, by=staff_tn, emails=["moi@doanhnghiep.example"]
    )
    return ["moi@doanhnghiep.example"]


def remind_expiring_offer(request, client):
    rep_jp = request.getfixturevalue("rep_jp")
    OfferFactory(
        representation=rep_jp.organization,
        created_by=rep_jp,
        valid_until=timezone.localdate() + dt.timedelta(days=3),
    )
    offer_services.offers_remind_expiring()
    return [rep_jp.email]


def notify_introduction(request, client):
    enterprise_tn = request.getfixturevalue("enterprise_tn")
    notify(users=[enterprise_tn], kind=Kind.INTRODUCTION, title="Giới thiệu mới", url="/x/")
    return [enterprise_tn.email]


@pytest.mark.parametrize(
    ("produce", "kind"),
    [
        (register, "registration_pending"),
        (review, "registration_reviewed"),
        (invite, "invitation"),
        (reset_password, "password_reset"),
        (invite_to_campaign, "campaign_invitation"),
        (remind_expiring_offer, "offer_expiring"),
        (notify_introduction, "introduction"),
    ],
    ids=lambda value: getattr(value, "__name__", None) or value,
)
def test_each_kind_of_mail_is_sent_after_commit_by_the_mail_task(
    request, client, produce, kind, mail_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        recipients = produce(request, client)
        assert mail.outbox == []  # nothing leaves before the commit
    assert [m.to for m in mail.outbox] == [[address] for address in recipients]
    assert all(m.extra_headers["X-Portal-Mail"] == kind for m in mail.outbox)
    assert all(m.subject and "\n" not in m.subject for m in mail.outbox)
    assert mail_tasks.count("notifications.send_mail") == len(recipients)


def test_a_representative_who_turned_off_expiry_reminders_gets_none(
    client, rep_jp, rep_de, django_capture_on_commit_callbacks
):
    client.force_login(rep_jp)
    wanted = [kind for kind in Kind.values if kind != Kind.OFFER_EXPIRING]
    assert client.post(reverse("notifications:preferences"), {"wanted": wanted}).status_code == 302
    soon = timezone.localdate() + dt.timedelta(days=5)
    muted = OfferFactory(representation=rep_jp.organization, created_by=rep_jp, valid_until=soon)
    OfferFactory(representation=rep_de.organization, created_by=rep_de, valid_until=soon)

    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offers_remind_expiring()

    assert [m.to for m in mail.outbox] == [[rep_de.email]]
    # Claimed all the same: turning reminders back on does not bring an old one.
    assert Offer.objects.get(pk=muted.pk).expiry_reminder_sent_at is not None


def test_account_mails_ignore_the_preferences(rep_jp, django_capture_on_commit_callbacks):
    EmailPreference.objects.create(user=rep_jp, muted_kinds=Kind.values)
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_invite(user=rep_jp)
        notify(users=[rep_jp], kind=Kind.INTRODUCTION, title="Muted")
    assert [m.extra_headers["X-Portal-Mail"] for m in mail.outbox] == ["invitation"]
    assert Notification.objects.filter(user=rep_jp).exists()  # still shown in the portal


def test_a_deactivated_user_gets_no_notification_mail(
    enterprise_tn, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[enterprise_tn], kind=Kind.ANSWER, title="Trả lời")
        enterprise_tn.is_active = False  # left the firm before the worker sent it
        enterprise_tn.save()
    assert mail.outbox == []


def test_an_smtp_failure_is_retried_and_the_mail_arrives(
    settings, rep_jp, mail_tasks, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailOnceBackend"
    backends.FailOnceBackend.attempts = 0
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_invite(user=rep_jp)
    assert backends.FailOnceBackend.attempts == 2
    assert [m.to for m in mail.outbox] == [[rep_jp.email]]
    assert mail_tasks == ["notifications.send_mail", "notifications.send_mail"]


def test_a_server_that_stays_down_does_not_break_the_page_in_process(
    settings, client, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.AlwaysDownBackend"
    backends.AlwaysDownBackend.attempts = 0
    with django_capture_on_commit_callbacks(execute=True):
        _user, response = ask_reset(client)
    assert response.status_code == 302
    # In a worker the retries go on with backoff; in-process they stop after a few.
    assert backends.AlwaysDownBackend.attempts == tasks.EAGER_TRIES
    assert mail.outbox == []


def test_an_address_the_server_refuses_for_good_is_not_retried(
    settings, django_capture_on_commit_callbacks, staff_tn
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.UnknownRecipientBackend"
    backends.UnknownRecipientBackend.attempts = 0
    campaign = CampaignFactory(province=staff_tn.organization.province)
    with django_capture_on_commit_callbacks(execute=True):
        demand_services.campaign_invite(campaign=campaign, by=staff_tn, emails=["typo@nowhere"])
    assert backends.UnknownRecipientBackend.attempts == 1


def test_notification_mails_queued_under_the_old_task_name_still_arrive(
    enterprise_tn, django_capture_on_commit_callbacks
):
    (notification,) = notify(users=[enterprise_tn], kind=Kind.ANSWER, title="Cũ", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_email.delay(notification.pk)
    assert [(m.to, m.subject) for m in mail.outbox] == [([enterprise_tn.email], "Cũ")]


def test_a_mail_about_a_deleted_record_is_not_sent(rep_jp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[rep_jp], kind=Kind.ANSWER, title="Gone")
        Notification.objects.filter(user=rep_jp).delete()  # before the worker rendered it
    assert mail.outbox == []
