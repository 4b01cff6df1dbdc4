"""Guessing costs the same in every letter case; reset emails cannot be sent in bulk."""

import uuid

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from accounts import services

from ..factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SPELLINGS = [
    "enterprise.tungsten@demo.local",
    "Enterprise.Tungsten@demo.local",
    "ENTERPRISE.TUNGSTEN@DEMO.LOCAL",
    "  enterprise.TUNGSTEN@Demo.Local ",
    "eNTERPRISE.tUNGSTEN@demo.local",
]


@pytest.fixture
def tungsten(db):
    return UserFactory(email="enterprise.tungsten@demo.local", organization=OrganizationFactory())


def sign_in(client, username: str, password: str = PASSWORD, url: str | None = None):
    return client.post(
        url or reverse("accounts:login"), {"username": username, "password": password}
    )


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_in_any_letter_case_lock_every_spelling(client, tungsten):
    for spelling in SPELLINGS[:4]:
        assert sign_in(client, spelling, "wrong-password!").status_code == 200
    assert sign_in(client, SPELLINGS[4], "wrong-password!").status_code == 429  # the fifth
    for spelling in SPELLINGS:
        locked = sign_in(client, spelling)  # the right password, no more guesses
        assert locked.status_code == 429, spelling
        assert not is_signed_in(client)


def test_a_success_clears_the_count_of_every_spelling(client, tungsten):
    """Letter case does not matter for the account, so a success in one spelling clears the
    failures typed in another; what it must not do is leave them counted apart."""
    for _ in range(4):
        sign_in(client, SPELLINGS[2], "wrong-password!")
    assert sign_in(client, SPELLINGS[0]).status_code == 302 and is_signed_in(client)
    client.logout()
    sign_in(client, SPELLINGS[2], "wrong-password!")  # one failure, not the fifth
    assert sign_in(client, SPELLINGS[2]).status_code == 302 and is_signed_in(client)


def test_the_admin_sign_in_shares_the_counter(client, db):
    UserFactory(
        email="admin.tungsten@demo.local", organization=None, is_staff=True, is_superuser=True
    )
    url = reverse("admin:login")
    for spelling in [
        "ADMIN.TUNGSTEN@demo.local",
        "Admin.Tungsten@demo.local",
        "admin.tungsten@DEMO.local",
        "admin.tungsten@demo.local",
    ]:
        assert sign_in(client, spelling, "wrong-password!", url=url).status_code == 200
    assert (
        sign_in(client, "aDMIN.tungsten@demo.local", "wrong-password!", url=url).status_code == 429
    )
    assert sign_in(client, "Admin.Tungsten@Demo.Local", url=url).status_code == 429
    assert not is_signed_in(client)


# --- password reset -------------------------------------------------------------------------


def ask_reset(client, email: str, ip: str):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the link is queued after commit
        return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def fresh_ip() -> str:
    """An address of this test's own: the limits' counters live in the shared Redis."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


def fresh_user():
    return UserFactory(email=f"reset-{uuid.uuid4().hex[:12]}@demo.local")


def test_a_burst_of_resets_for_one_address_sends_three_emails(client):
    user = fresh_user()
    ip = fresh_ip()
    answers = [
        ask_reset(client, user.email.upper() if i % 2 else user.email, ip) for i in range(12)
    ]
    limit = services.PASSWORD_RESET_PER_ADDRESS[0]
    assert len(mail.outbox) == limit
    assert all(m.to == [user.email] for m in mail.outbox)
    # every answer is the same neutral page, refused or not
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, reverse("accounts:password_reset_done"))
    }
    ask_reset(client, fresh_user().email, fresh_ip())
    assert len(mail.outbox) == limit + 1  # the address's limit is its own


def test_one_ip_cannot_ask_resets_for_many_addresses(client):
    ip = fresh_ip()
    users = [fresh_user() for _ in range(12)]
    for user in users:
        assert ask_reset(client, user.email, ip).status_code == 302
    assert len(mail.outbox) == services.PASSWORD_RESET_PER_IP[0]
    ask_reset(client, users[-1].email, fresh_ip())  # the same person, from elsewhere
    assert mail.outbox[-1].to == [users[-1].email]


def test_unknown_addresses_get_the_same_answer_and_no_email(client):
    response = ask_reset(client, "nobody-here@demo.local", fresh_ip())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_resets_still_work_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there: every call fails
        }
    }
    user = fresh_user()
    ip = fresh_ip()
    for _ in range(5):
        assert ask_reset(client, user.email, ip).status_code == 302
    assert len(mail.outbox) == 5  # fail open: unlimited rather than nobody can reset
