"""The thread on an introduced match: two private staff<->side channels before consent, one
shared thread after; anonymity until consent; notifications and emails in the reader's
language; hidden messages; provider contacts through a signed link; replies count as answers."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from connections import services, thread_services
from connections.models import Channel, Message, ProviderContact
from matching.models import Answer, Match
from notifications.models import Kind, Notification

from .test_services import consent, introduce, match, parties  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIRM = "Chè Tân Cương"  # the enterprise's name (tests/conftest.py)
post = thread_services.message_post


def pdf(name="offer.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def codes(response) -> list[str]:
    """The upload refusals the page shows (portal.uploads' codes: type, size, content)."""
    return [e.code for e in response.context["form"].errors.as_data()["attachments"]]


def thread_url(m):
    return reverse("connections:thread", args=[m.pk])


@pytest.fixture
def introduced(match, staff_tn, django_capture_on_commit_callbacks):  # noqa: F811
    introduced = introduce(match, staff_tn, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    return introduced


@pytest.fixture
def consented(match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks):  # noqa: F811
    consented = consent(match, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    return consented


def send(capture, **kwargs):
    with capture(execute=True):
        return post(**kwargs)


# --- channels and anonymity -------------------------------------------------------------------


def test_before_consent_staff_writes_to_each_side_apart(
    introduced, staff_tn, enterprise_tn, rep_jp, client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    send(capture, match=introduced, by=staff_tn, channel=Channel.ENTERPRISE, body="Firm only")
    send(capture, match=introduced, by=staff_tn, channel=Channel.REPRESENTATION, body="Rep only")
    send(capture, match=introduced, by=enterprise_tn, channel=Channel.ENTERPRISE, body="From firm")
    assert {m.to[0] for m in mail.outbox} >= {enterprise_tn.email, rep_jp.email, staff_tn.email}
    client.force_login(rep_jp)
    page = client.get(thread_url(introduced)).content.decode()
    assert "Rep only" in page
    assert "Firm only" not in page and "From firm" not in page and FIRM not in page
    client.force_login(enterprise_tn)
    page = client.get(thread_url(introduced)).content.decode()
    assert "Firm only" in page and "From firm" in page and "Rep only" not in page
    client.force_login(staff_tn)
    page = client.get(thread_url(introduced)).content.decode()
    assert all(text in page for text in ("Firm only", "Rep only", "From firm"))


def test_before_consent_parties_write_to_staff_only(introduced, enterprise_tn, rep_jp):
    with pytest.raises(ValidationError):
        post(match=introduced, by=enterprise_tn, channel=Channel.SHARED, body="hello")
    with pytest.raises(ValidationError):
        post(match=introduced, by=enterprise_tn, channel=Channel.REPRESENTATION, body="hello")
    with pytest.raises(ValidationError):
        post(match=introduced, by=rep_jp, channel=Channel.ENTERPRISE, body="hello")
    assert not Message.objects.exists()


def test_representation_never_learns_the_firm_before_consent(
    introduced, staff_tn, enterprise_tn, rep_jp, client, django_capture_on_commit_callbacks
):
    send(
        django_capture_on_commit_callbacks,
        match=introduced,
        by=enterprise_tn,
        channel=Channel.ENTERPRISE,
        body="Our plans",
        attachments=[(pdf("ke-hoach-che-tan-cuong.pdf"), "application/pdf")],
    )
    send(
        django_capture_on_commit_callbacks,
        match=introduced,
        by=staff_tn,
        channel=Channel.REPRESENTATION,
        body="Are you still offering this?",
    )
    to_rep = [m for m in mail.outbox if m.to == [rep_jp.email]]
    assert len(to_rep) == 1
    assert FIRM not in to_rep[0].subject + to_rep[0].body
    assert all(FIRM not in n.title + n.body for n in Notification.objects.filter(user=rep_jp))
    attachment = Message.objects.get(body="Our plans").attachments.get()
    client.force_login(rep_jp)
    page = client.get(thread_url(introduced)).content.decode()
    assert FIRM not in page and "ke-hoach" not in page
    file_url = f"{thread_url(introduced)}files/{attachment.pk}/"
    assert client.get(file_url).status_code == 404
    client.force_login(enterprise_tn)
    assert client.get(file_url).status_code == 200


@pytest.mark.sqlite  # also on the embedded demo's database
def test_after_consent_everyone_shares_one_thread(
    consented, staff_tn, enterprise_tn, rep_jp, client, django_capture_on_commit_callbacks
):
    send(
        django_capture_on_commit_callbacks,
        match=consented,
        by=rep_jp,
        channel=Channel.SHARED,
        body="Shall we meet?",
    )
    assert {m.to[0] for m in mail.outbox} == {enterprise_tn.email, staff_tn.email}
    client.force_login(enterprise_tn)
    page = client.get(thread_url(consented)).content.decode()
    assert "Shall we meet?" in page
    client.force_login(rep_jp)
    response = client.post(thread_url(consented), {"channel": "shared", "body": "Yes, Tuesday"})
    assert response.status_code == 302
    client.force_login(enterprise_tn)
    page = client.get(thread_url(consented)).content.decode()
    assert "Yes, Tuesday" in page and "Đại diện tại Nhật Bản" in page
    client.post(thread_url(consented), {"channel": "shared", "body": "Tuesday it is"})
    client.force_login(rep_jp)
    page = client.get(thread_url(consented)).content.decode()
    assert "Tuesday it is" in page and FIRM in page  # the firm's name after consent


def test_the_answers_message_reaches_the_other_side_at_consent(
    introduced, enterprise_tn, rep_jp, staff_tn, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.match_answer(
            match=introduced, by=enterprise_tn, answer=Answer.INTERESTED, message="Call us"
        )
    # Before consent the message reaches staff only.
    assert not any("Call us" in m.body for m in mail.outbox if m.to == [rep_jp.email])
    assert any("Call us" in m.body for m in mail.outbox if m.to == [staff_tn.email])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.match_answer(
            match=introduced, by=rep_jp, answer=Answer.INTERESTED, message="Gladly"
        )
    assert any("Call us" in m.body for m in mail.outbox if m.to == [rep_jp.email])
    assert any("Gladly" in m.body for m in mail.outbox if m.to == [enterprise_tn.email])
    shared = Message.objects.filter(match=introduced, channel=Channel.SHARED, is_answer=True)
    assert {(m.body, m.author_id) for m in shared} == {
        ("Call us", enterprise_tn.pk),
        ("Gladly", rep_jp.pk),
    }


def test_a_dropped_connection_is_read_only(introduced, enterprise_tn, staff_tn, client):
    services.match_answer(match=introduced, by=enterprise_tn, answer=Answer.NOT_INTERESTED)
    with pytest.raises(PermissionDenied):
        post(match=introduced, by=staff_tn, channel=Channel.ENTERPRISE, body="still there?")
    client.force_login(enterprise_tn)
    assert client.get(thread_url(introduced)).status_code == 200
    assert client.post(thread_url(introduced), {"body": "x"}).status_code == 404


# --- who may not ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["enterprise_bn", "rep_de", "staff_bn"])
def test_outsiders_get_404_everywhere(
    consented, cast, who, staff_tn, client, django_capture_on_commit_callbacks
):
    message = send(
        django_capture_on_commit_callbacks,
        match=consented,
        by=staff_tn,
        channel=Channel.SHARED,
        body="inside",
        attachments=[(pdf(), "application/pdf")],
    )
    attachment = message.attachments.get()
    client.force_login(cast(who))
    urls = [
        thread_url(consented),
        f"{thread_url(consented)}files/{attachment.pk}/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(thread_url(consented), {"channel": "shared", "body": "x"}).status_code == 404
    hide = reverse("connections:message_hide", args=[consented.pk, message.pk])
    assert client.post(hide, {"reason": "spam"}).status_code == 404
    add = reverse("connections:contact_add", args=[consented.pk])
    assert client.post(add, {"name": "X", "email": "x@example.com"}).status_code == 404
    assert Message.objects.count() == 1 and not ProviderContact.objects.exists()
    assert Message.objects.get().hidden_at is None


def test_anonymous_is_sent_to_sign_in(consented, client):
    response = client.get(thread_url(consented))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(thread_url(consented), {"channel": "shared", "body": "x"})
    assert response.status_code == 302 and not Message.objects.exists()


def test_coordinator_reads_every_channel_but_writes_none(
    introduced, coordinator, staff_tn, client, django_capture_on_commit_callbacks
):
    send(
        django_capture_on_commit_callbacks,
        match=introduced,
        by=staff_tn,
        channel=Channel.ENTERPRISE,
        body="to the firm",
    )
    client.force_login(coordinator)
    assert "to the firm" in client.get(thread_url(introduced)).content.decode()
    assert client.post(thread_url(introduced), {"body": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        post(match=introduced, by=coordinator, channel=Channel.ENTERPRISE, body="x")


def test_parties_cannot_hide_or_add_contacts_for_the_other_side(
    consented, enterprise_tn, rep_jp, client, django_capture_on_commit_callbacks
):
    message = send(
        django_capture_on_commit_callbacks,
        match=consented,
        by=rep_jp,
        channel=Channel.SHARED,
        body="hi",
    )
    for user in (enterprise_tn, rep_jp):
        client.force_login(user)
        hide = reverse("connections:message_hide", args=[consented.pk, message.pk])
        assert client.post(hide, {"reason": "no"}).status_code == 404
    client.force_login(enterprise_tn)
    add = reverse("connections:contact_add", args=[consented.pk])
    assert client.post(add, {"name": "X", "email": "x@example.com"}).status_code == 404


# --- hiding ----------------------------------------------------------------------------------


def test_staff_hide_a_message_kept_with_who_and_why(
    consented, staff_tn, enterprise_tn, rep_jp, client, django_capture_on_commit_callbacks
):
    message = send(
        django_capture_on_commit_callbacks,
        match=consented,
        by=rep_jp,
        channel=Channel.SHARED,
        body="Rude words",
        attachments=[(pdf(), "application/pdf")],
    )
    client.force_login(staff_tn)
    hide = reverse("connections:message_hide", args=[consented.pk, message.pk])
    assert client.post(hide, {"reason": ""}).status_code == 302
    message.refresh_from_db()
    assert message.hidden_at is None  # a reason is required
    client.post(hide, {"reason": "insulting"})
    message.refresh_from_db()
    assert (message.hidden_by, message.hidden_reason) == (staff_tn, "insulting")
    page = client.get(thread_url(consented)).content.decode()
    assert "Rude words" in page and "insulting" in page  # staff still see it, marked hidden
    file_url = f"{thread_url(consented)}files/{message.attachments.get().pk}/"
    client.force_login(enterprise_tn)
    page = client.get(thread_url(consented)).content.decode()
    assert "Rude words" not in page and "insulting" not in page
    assert client.get(file_url).status_code == 404
    assert not Notification.objects.filter(user=enterprise_tn, body__contains="Rude words")


# --- notifications, language, unread counts ---------------------------------------------------


def test_message_notifies_in_app_and_by_email_with_text_and_link(
    consented, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks
):
    message = send(
        django_capture_on_commit_callbacks,
        match=consented,
        by=enterprise_tn,
        channel=Channel.SHARED,
        body="Price list attached",
    )
    notification = Notification.objects.get(user=rep_jp, kind=Kind.MESSAGE)
    assert "Price list attached" in notification.body
    assert notification.url == f"{thread_url(consented)}#message-{message.pk}"
    email = next(m for m in mail.outbox if m.to == [rep_jp.email])
    assert "Price list attached" in email.body
    assert f"{thread_url(consented)}#message-{message.pk}" in email.body
    assert not Notification.objects.filter(user=enterprise_tn, kind=Kind.MESSAGE).exists()


@pytest.mark.skipif(
    not hasattr(__import__("accounts.models").models.User, "language"),
    reason="the user's language preference is not in this tree yet",
)
def test_emails_and_notifications_in_the_readers_language(
    consented, staff_tn, enterprise_tn, rep_jp, django_capture_on_commit_callbacks
):
    rep_jp.language = "en"
    rep_jp.save(update_fields=["language"])
    enterprise_tn.language = "vi"
    enterprise_tn.save(update_fields=["language"])
    from django.utils import translation

    with translation.override("vi"):  # the writer's language is not the reader's
        send(
            django_capture_on_commit_callbacks,
            match=consented,
            by=staff_tn,
            channel=Channel.SHARED,
            body="Xin chào",
        )
    to_rep = next(m for m in mail.outbox if m.to == [rep_jp.email])
    to_firm = next(m for m in mail.outbox if m.to == [enterprise_tn.email])
    assert "Demand: " in to_rep.body and "You can choose which emails" in to_rep.body
    assert "Nhu cầu: " in to_firm.body and "Bạn có thể chọn những email" in to_firm.body
    assert "Demand: " in Notification.objects.get(user=rep_jp, kind=Kind.MESSAGE).body
    assert "Nhu cầu: " in Notification.objects.get(user=enterprise_tn, kind=Kind.MESSAGE).body


def test_unread_count_in_the_top_bar_until_the_thread_is_read(
    consented, staff_tn, enterprise_tn, client, in_english, django_capture_on_commit_callbacks
):
    for text in ("one", "two"):
        send(
            django_capture_on_commit_callbacks,
            match=consented,
            by=staff_tn,
            channel=Channel.SHARED,
            body=text,
        )
    client.force_login(enterprise_tn)
    home = client.get(reverse("connections:detail", args=[consented.pk])).content.decode()
    assert 'id="unread-messages"' in home and "2 unread messages" in home
    client.get(thread_url(consented))
    home = client.get(reverse("connections:detail", args=[consented.pk])).content.decode()
    assert 'id="unread-messages"' not in home


# --- uploads -----------------------------------------------------------------------------------


def test_upload_checks_refuse_a_fake_file_and_keep_the_text(consented, rep_jp, client):
    client.force_login(rep_jp)
    fake = SimpleUploadedFile(
        "contract.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(
        thread_url(consented), {"channel": "shared", "body": "See the file", "attachments": fake}
    )
    assert response.status_code == 400
    assert codes(response) == ["content"] and "See the file" in response.content.decode()
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(thread_url(consented), {"channel": "shared", "attachments": exe})
    assert response.status_code == 400 and codes(response) == ["type"]
    big = SimpleUploadedFile(
        "big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    response = client.post(thread_url(consented), {"channel": "shared", "attachments": big})
    assert response.status_code == 400 and codes(response) == ["size"]
    assert not Message.objects.exists()
    response = client.post(
        thread_url(consented), {"channel": "shared", "body": "", "attachments": pdf("brochure.pdf")}
    )
    assert response.status_code == 302
    attachment = Message.objects.get().attachments.get()
    assert (
        attachment.original_name == "brochure.pdf" and attachment.content_type == "application/pdf"
    )
    download = client.get(f"{thread_url(consented)}files/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_an_empty_message_is_refused(consented, rep_jp, client):
    client.force_login(rep_jp)
    response = client.post(thread_url(consented), {"channel": "shared", "body": "  "})
    assert response.status_code == 400 and not Message.objects.exists()


# --- replies count as answers ----------------------------------------------------------------


@pytest.mark.sqlite  # also on the embedded demo's database
def test_a_reply_spares_its_side_the_reminder_and_the_overdue_flag(
    introduced, enterprise_tn, rep_jp, staff_tn, client, django_capture_on_commit_callbacks
):
    Match.objects.filter(pk=introduced.pk).update(
        introduced_at=timezone.now() - datetime.timedelta(days=15)
    )
    send(
        django_capture_on_commit_callbacks,
        match=introduced,
        by=enterprise_tn,
        channel=Channel.ENTERPRISE,
        body="We need a week to decide",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.matches_remind_overdue() == 1
    assert {m.to[0] for m in mail.outbox} == {rep_jp.email}  # only the silent side
    client.force_login(staff_tn)
    card = client.get(reverse("connections:board"))
    assert card.status_code == 200
    Match.objects.filter(pk=introduced.pk).update(reminder_sent_at=None)
    send(
        django_capture_on_commit_callbacks,
        match=introduced,
        by=rep_jp,
        channel=Channel.REPRESENTATION,
        body="Checking with the provider",
    )
    assert not services.overdue_answers().filter(pk=introduced.pk).exists()
    from connections import selectors

    decorated = selectors.decorate([Match.objects.get(pk=introduced.pk)], staff_tn)[0]
    assert decorated.is_overdue is False


def test_board_card_shows_thread_activity(
    consented, staff_tn, client, in_english, django_capture_on_commit_callbacks
):
    for text in ("a", "b", "c"):
        send(
            django_capture_on_commit_callbacks,
            match=consented,
            by=staff_tn,
            channel=Channel.SHARED,
            body=text,
        )
    client.force_login(staff_tn)
    page = client.get(reverse("connections:board")).content.decode()
    assert "3 messages" in page


# --- provider contacts -------------------------------------------------------------------------


def test_provider_contact_reads_and_replies_through_the_signed_link(
    introduced, rep_jp, staff_tn, client, django_capture_on_commit_callbacks
):
    client.force_login(rep_jp)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("connections:contact_add", args=[introduced.pk]),
            {"name": "Dr. Sato", "email": "Sato@Provider.example", "language": "en"},
        )
    assert response.status_code == 302
    invitation = mail.outbox[-1]
    assert invitation.to == ["sato@provider.example"]
    link = next(word for word in invitation.body.split() if "/matching/thread/" in word)
    path = link.split("testserver")[-1].split("http://127.0.0.1:8000")[-1]
    send(
        django_capture_on_commit_callbacks,
        match=introduced,
        by=staff_tn,
        channel=Channel.REPRESENTATION,
        body="Question for the provider",
    )
    assert any(m.to == ["sato@provider.example"] for m in mail.outbox)
    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and "Question for the provider" in page.content.decode()
    assert FIRM not in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"channel": "representation", "body": "We can adapt it"})
    assert response.status_code == 302
    reply = Message.objects.get(body="We can adapt it")
    assert reply.contact.email == "sato@provider.example" and reply.author is None
    assert staff_tn.email in {m.to[0] for m in mail.outbox}
    # A tampered link, or one of a removed contact, opens nothing.
    assert client.get(path[:-3] + "xx/").status_code == 404
    client.force_login(rep_jp)
    contact = ProviderContact.objects.get()
    client.post(reverse("connections:contact_remove", args=[introduced.pk, contact.pk]))
    client.logout()
    assert client.get(path).status_code == 404
    assert client.post(path, {"channel": "representation", "body": "again"}).status_code == 404


def test_provider_contact_never_sees_the_firms_channel(
    introduced, rep_jp, enterprise_tn, staff_tn, client, django_capture_on_commit_callbacks
):
    contact = thread_services.provider_contact_add(
        match=introduced, by=rep_jp, name="Sato", email="sato@provider.example"
    )
    send(
        django_capture_on_commit_callbacks,
        match=introduced,
        by=enterprise_tn,
        channel=Channel.ENTERPRISE,
        body="Secret of the firm",
    )
    assert not any(m.to == ["sato@provider.example"] for m in mail.outbox)
    page = client.get(
        reverse("connections:contact_thread", args=[thread_services.contact_token(contact)])
    )
    assert "Secret of the firm" not in page.content.decode()
    with pytest.raises(ValidationError):
        post(match=introduced, contact=contact, channel=Channel.ENTERPRISE, body="x")


# --- the pipeline sheet ----------------------------------------------------------------------


@pytest.mark.sqlite  # also on the embedded demo's database
def test_pipeline_xlsx_counts_each_threads_messages_and_last_activity(
    consented, staff_tn, client, django_capture_on_commit_callbacks
):
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook

    from insights.reports import PIPELINE_HEADERS

    def sheet() -> tuple[dict, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("insights:report_pipeline"))
        rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert list(rows[0]) == PIPELINE_HEADERS
        return {row[0]: dict(zip(PIPELINE_HEADERS, row, strict=True)) for row in rows[1:]}, len(
            queries
        )

    client.force_login(staff_tn)
    rows, before = sheet()
    assert (rows[consented.pk]["Số tin nhắn"], rows[consented.pk]["Tin nhắn gần nhất"]) == (0, None)
    messages = [
        send(
            django_capture_on_commit_callbacks,
            match=consented,
            by=staff_tn,
            channel=Channel.SHARED,
            body=text,
        )
        for text in ("one", "two", "three")
    ]
    Message.objects.filter(pk=messages[0].pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    thread_services.message_hide(message=messages[2], by=staff_tn, reason="duplicate")
    rows, after = sheet()
    row = rows[consented.pk]
    assert row["Số tin nhắn"] == 2  # the hidden one is not counted
    expected = timezone.localtime(Message.objects.get(pk=messages[1].pk).created_at)
    assert row["Tin nhắn gần nhất"].replace(microsecond=0) == expected.replace(
        tzinfo=None, microsecond=0
    )
    assert after == before  # aggregated in the sheet's query: no query per row or message


def test_thread_page_costs_the_same_queries_for_many_messages(
    consented, staff_tn, enterprise_tn, rep_jp, client, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(thread_url(consented)).status_code == 200
        return len(queries)

    def write(n: int) -> None:
        for i in range(n):
            author = (staff_tn, enterprise_tn, rep_jp)[i % 3]
            send(
                django_capture_on_commit_callbacks,
                match=consented,
                by=author,
                channel=Channel.SHARED,
                body=f"message {i}",
                attachments=[(pdf(f"file-{i}.pdf"), "application/pdf")],
            )

    write(1)
    few = {user.pk: cost(user) for user in (staff_tn, rep_jp)}
    write(8)
    assert {user.pk: cost(user) for user in (staff_tn, rep_jp)} == few
