import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import EmailPreference, Notification
from notifications.services import notify


def test_notify_emails_after_commit_and_honours_preferences(
    enterprise_tn, staff_tn, django_capture_on_commit_callbacks
):
    EmailPreference.objects.create(user=staff_tn, muted_kinds=["answer"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(
            users=[enterprise_tn, staff_tn, enterprise_tn], kind="answer", title="Hello", url="/x/"
        )
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 2
    assert [m.to for m in mail.outbox] == [[enterprise_tn.email]]
    assert Notification.objects.filter(kind="answer").count() == 2


def test_list_marks_read_and_top_bar_counts(client, enterprise_tn, enterprise_bn):
    notify(users=[enterprise_tn], kind="introduction", title="New one", email=False)
    notify(users=[enterprise_bn], kind="introduction", title="Not yours", email=False)
    client.force_login(enterprise_tn)
    page = client.get(reverse("notifications:preferences"))
    assert page.context["unread_notifications"]() == 1
    response = client.get(reverse("notifications:list"))
    assert [n.title for n in response.context["notifications"]] == ["New one"]
    assert not Notification.objects.filter(user=enterprise_tn, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=enterprise_bn, read_at__isnull=True).exists()


def test_preferences_page_saves_muted_kinds(client, rep_jp):
    client.force_login(rep_jp)
    response = client.post(
        reverse("notifications:preferences"), {"wanted": ["introduction", "answer"]}
    )
    assert response.status_code == 302
    preference = EmailPreference.objects.get(user=rep_jp)
    assert "meeting" in preference.muted_kinds and "introduction" not in preference.muted_kinds


@pytest.mark.parametrize("url", ["notifications:list", "notifications:preferences"])
def test_anonymous_redirected(client, url):
    assert client.get(reverse(url)).status_code == 302
