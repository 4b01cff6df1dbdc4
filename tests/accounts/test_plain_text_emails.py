"""Plain-text emails show names as typed: no HTML escaping (`Evil Co &quot;&gt;`) in them."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import Organization

from ..factories import OrganizationFactory, UserFactory
from ..offers.factories import OfferFactory

pytestmark = pytest.mark.django_db

EVIL = """Evil Co "><b>Bold</b> & 'Sons'"""
ESCAPES = re.compile(r"&(quot|gt|lt|amp|#x27|#39);")


def assert_plain(message, *expected: str):
    for part in (message.subject, message.body):
        assert not ESCAPES.search(part), part
    for text in expected:
        assert text in message.subject + message.body


def test_registration_emails_show_the_firm_name_as_typed(
    staff_tn, django_capture_on_commit_callbacks
):
    organization = OrganizationFactory.build(
        name=EVIL, province=staff_tn.organization.province, tax_code="4600999001"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.enterprise_register(
            organization=organization,
            email="evil@demo.local",
            password="a long pass phrase",
            full_name='Nguyễn "Văn" <A>',
        )
    (pending,) = mail.outbox
    assert pending.to == [staff_tn.email]
    assert_plain(pending, EVIL)

    organization.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.organization_review(
            organization=organization,
            by=staff_tn,
            approve=False,
            note='Tax code "4600" <wrong> & late',
        )
    reviewed = mail.outbox[-1]
    assert_plain(reviewed, EVIL, 'Tax code "4600" <wrong> & late')


def test_invitation_shows_names_as_typed(db, django_capture_on_commit_callbacks):
    user = UserFactory(
        full_name='Trần "Thị" <B>',
        organization=OrganizationFactory(
            name=EVIL,
            kind=Organization.Kind.REPRESENTATION,
            province=None,
            country="JP",
            tax_code="",
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(user=user)
    assert_plain(mail.outbox[0], 'Trần "Thị" <B>', EVIL)


def test_offer_expiry_reminder_shows_the_title_as_typed(rep_jp, django_capture_on_commit_callbacks):
    from offers import services as offer_services

    title = 'Robot "Mirror" <Polish> & Co'
    until = timezone.localdate() + dt.timedelta(days=5)
    OfferFactory(
        representation=rep_jp.organization,
        created_by=rep_jp,
        title=title,
        title_vi="",
        valid_until=until,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert offer_services.offers_remind_expiring() == 1
    assert_plain(mail.outbox[0], title)
    # the date reads once, in the Vietnamese short form ("ngày Ngày 9 tháng 12" before)
    assert f"đến ngày {until:%d/%m/%Y}. " in mail.outbox[0].body


def test_every_plain_text_email_template_turns_escaping_off():
    """New email templates too: each .txt under templates/ renders with autoescape off."""
    templates = sorted(Path(settings.BASE_DIR, "templates").rglob("*.txt"))
    assert len(templates) >= 12
    for path in templates:
        text = path.read_text()
        body = text.removeprefix("{% load i18n %}")
        assert body.startswith("{% autoescape off %}"), path
        assert body.rstrip().endswith("{% endautoescape %}"), path
