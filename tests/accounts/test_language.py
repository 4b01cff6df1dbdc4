"""Each person's language: chosen at sign-up from the browser, saved by the switcher and the
profile, applied at every sign-in; mails and notifications in the recipient's language."""

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.services import in_language_of, language_of
from connections import services as connection_services
from matching.models import Match
from notifications.models import Kind, Notification
from notifications.services import notify, send_mail
from portal.i18n import language_from_accept

from ..factories import PASSWORD
from ..matching.conftest import OFFERS, make_offer, tea_demand
from .test_signup import SIGNUP

pytestmark = pytest.mark.django_db

__all__ = ["tea_demand"]  # a fixture

ROLES = ["enterprise_tn", "staff_tn", "rep_jp", "coordinator", "superuser"]
COOKIE = settings.LANGUAGE_COOKIE_NAME


def sign_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


@pytest.mark.parametrize("role", ROLES)
def test_saved_language_applies_at_sign_in_for_every_role(request, client, role):
    user = request.getfixturevalue(role)
    user.language = "en"
    user.save()
    client.cookies[COOKIE] = "vi"  # a shared computer last used in Vietnamese

    response = sign_in(client, user)

    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "en"
    page = client.get(reverse("accounts:profile"))
    assert page.headers["Content-Language"] == "en"
    assert "My profile" in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_vietnamese_preference_wins_over_an_english_cookie(request, client, role):
    user = request.getfixturevalue(role)
    user.language = "vi"
    user.save()
    client.cookies[COOKIE] = "en"
    client.force_login(user)

    page = client.get(reverse("accounts:profile"))

    assert "Hồ sơ của tôi" in page.content.decode()
    assert page.cookies[COOKIE].value == "vi"


def test_existing_user_without_a_choice_reads_vietnamese_then_the_cookie(client, rep_jp):
    assert rep_jp.language == ""
    client.force_login(rep_jp)
    assert client.get(reverse("accounts:profile")).headers["Content-Language"] == "vi"
    client.cookies[COOKIE] = "en"
    assert client.get(reverse("accounts:profile")).headers["Content-Language"] == "en"


def test_switcher_saves_the_preference_of_a_signed_in_user(client, rep_jp):
    client.force_login(rep_jp)
    response = client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    rep_jp.refresh_from_db()
    assert rep_jp.language == "en"
    client.post(reverse("accounts:language"), {"language": "xx", "next": "/"})
    rep_jp.refresh_from_db()
    assert rep_jp.language == "en"  # not a language we speak: nothing saved


def test_switcher_for_a_visitor_sets_only_the_cookie(client):
    response = client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert response.cookies[COOKIE].value == "en"


def test_base_page_switcher_posts_to_the_saving_view(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'action="{reverse("accounts:language")}"' in html


def test_profile_edits_language_and_time_zone(client, enterprise_tn):
    client.force_login(enterprise_tn)
    form = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="language"' in form
    assert 'value="Asia/Tokyo"' in form
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "An", "language": "en", "time_zone": "Europe/Berlin"},
    )
    assert response.status_code == 302
    enterprise_tn.refresh_from_db()
    assert (enterprise_tn.language, enterprise_tn.time_zone) == ("en", "Europe/Berlin")
    assert "My profile" in client.get(reverse("accounts:profile")).content.decode()


def test_profile_refuses_a_deprecated_zone_and_keeps_the_input(client, enterprise_tn):
    client.force_login(enterprise_tn)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "An Nguyễn", "language": "vi", "time_zone": "US/Eastern"},
    )
    assert response.status_code == 200
    assert "An Nguyễn" in response.content.decode()
    enterprise_tn.refresh_from_db()
    assert enterprise_tn.time_zone == ""


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9,vi;q=0.8", "en"),
        ("ja-JP,ja;q=0.9,en;q=0.8", "en"),
        ("vi-VN,vi;q=0.9,en;q=0.5", "vi"),
        ("de-DE", "vi"),
        ("", "vi"),
    ],
)
def test_browser_language_read_from_accept_language(header, expected):
    assert language_from_accept(header) == expected


def test_signup_takes_the_browsers_language(client, thai_nguyen):
    client.post(
        reverse("accounts:signup"),
        {**SIGNUP, "province": thai_nguyen.pk},
        HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9",
    )
    assert User.objects.get(email=SIGNUP["email"]).language == "en"


def test_signup_takes_the_switchers_language_over_the_browsers(client, thai_nguyen):
    client.cookies[COOKIE] = "vi"
    client.post(
        reverse("accounts:signup"),
        {**SIGNUP, "province": thai_nguyen.pk},
        HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9",
    )
    assert User.objects.get(email=SIGNUP["email"]).language == "vi"


def test_language_of_defaults_to_vietnamese(rep_jp):
    assert language_of(rep_jp) == "vi"
    assert language_of(None) == "vi"
    rep_jp.language = "en"
    assert language_of(rep_jp) == "en"
    with in_language_of(rep_jp):
        assert translation.get_language() == "en"


# --- mails and notifications: the recipient's language, not the sender's ------------------------


def test_mail_renders_in_the_recipients_language(
    rep_jp, staff_tn, django_capture_on_commit_callbacks
):
    rep_jp.language = "en"
    rep_jp.save()
    notification = Notification.objects.create(user=rep_jp, kind=Kind.ANSWER, title="T")
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        send_mail(
            to=[rep_jp, staff_tn],
            template="notifications/email/notification",
            context={"notification": notification},
            kind=Kind.ANSWER,
        )
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "You can choose which emails you receive:" in bodies[rep_jp.email]
    assert "You can choose which emails you receive:" not in bodies[staff_tn.email]


def test_notification_text_is_written_in_each_readers_language(
    rep_jp, staff_tn, django_capture_on_commit_callbacks
):
    rep_jp.language = "en"
    rep_jp.save()
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        notify(
            users=[rep_jp, staff_tn],
            kind=Kind.REMINDER,
            title=translation.gettext_lazy("Reminder: an introduction awaits your answer"),
        )
    titles = dict(Notification.objects.values_list("user__email", "title"))
    assert titles[rep_jp.email] == "Reminder: an introduction awaits your answer"
    assert titles[staff_tn.email] != titles[rep_jp.email]
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[rep_jp.email] == "Reminder: an introduction awaits your answer"


def test_vietnamese_staff_introduction_reaches_rep_japan_in_english(
    tea_demand, rep_jp, staff_tn, enterprise_tn, django_capture_on_commit_callbacks
):
    rep_jp.language = "en"
    rep_jp.save()
    tea_demand.title_en = "Mechanised withering and rolling of green tea"
    tea_demand.save()
    match = Match.objects.create(
        demand=tea_demand,
        offer=make_offer(rep_jp.organization, **OFFERS[0]),
        score=0.8,
        engine_version="t",
    )
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        connection_services.match_introduce(match=match, by=staff_tn)

    mails = {m.to[0]: m for m in mail.outbox}
    assert mails[rep_jp.email].subject.startswith("New introduction: please answer within")
    assert "Demand: Mechanised withering and rolling of green tea" in mails[rep_jp.email].body
    assert f"{tea_demand.title}" in mails[enterprise_tn.email].body
    assert "Open it in the portal:" in mails[rep_jp.email].body
    assert not mails[enterprise_tn.email].subject.startswith("New introduction")
    in_app = Notification.objects.get(user=rep_jp)
    assert in_app.title.startswith("New introduction")


def test_meeting_notice_reads_in_each_readers_language_and_zone(
    tea_demand, rep_jp, staff_tn, enterprise_tn, django_capture_on_commit_callbacks
):
    rep_jp.language, rep_jp.time_zone = "en", "Asia/Tokyo"
    rep_jp.save()
    enterprise_tn.language = "vi"
    enterprise_tn.save()
    match = Match.objects.create(
        demand=tea_demand,
        offer=make_offer(rep_jp.organization, **OFFERS[0]),
        score=0.8,
        engine_version="t",
        status=Match.Status.CONSENTED,
    )
    starts_at = dt.datetime(2026, 12, 4, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    with translation.override("vi"), django_capture_on_commit_callbacks(execute=True):
        connection_services.match_schedule_meeting(
            match=match,
            by=staff_tn,
            data={
                "starts_at": starts_at,
                "timezone": "Europe/Berlin",
                "mode": "online",
                "interpreter_needed": True,
                "interpreter_language": "de",
            },
        )
    bodies = dict(Notification.objects.values_list("user__email", "body"))
    assert (
        "4 Dec 2026, 09:00 (Europe/Berlin) = 4 Dec 2026, 17:00 (Asia/Tokyo)" in bodies[rep_jp.email]
    )
    assert "German" in bodies[rep_jp.email]
    assert "04/12/2026 09:00 (Europe/Berlin) = 04/12/2026 15:00" in bodies[enterprise_tn.email]
    assert "Tiếng Đức" in bodies[enterprise_tn.email]
    assert "German" not in bodies[enterprise_tn.email]
