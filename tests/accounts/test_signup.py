import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Organization, User
from accounts.services import user_invite

SIGNUP = {
    "name": "Công ty TNHH Chè Đại Từ",
    "tax_code": "4600999888",
    "address": "Đại Từ, Thái Nguyên",
    "website": "",
    "size": "small",
    "main_industry": "Chè",
    "full_name": "Nguyễn Văn An",
    "email": "an@chedaitu.vn",
    "phone": "0912345678",
    "password1": "mot-cau-mat-khau-dai",
    "password2": "mot-cau-mat-khau-dai",
}


@pytest.mark.django_db
def test_enterprise_registers_and_waits_for_staff_of_its_province(
    client, thai_nguyen, staff_tn, staff_bn, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), {**SIGNUP, "province": thai_nguyen.pk})
    assert response.status_code == 302
    organization = Organization.objects.get(tax_code="4600999888")
    assert organization.status == Organization.Status.PENDING
    # only staff of Thái Nguyên hear of it
    assert [m.to for m in mail.outbox] == [[staff_tn.email]]

    client.force_login(User.objects.get(email="an@chedaitu.vn"))
    page = client.get(reverse("insights:dashboard"))
    assert "đang được xem xét" in page.content.decode()


@pytest.mark.django_db
def test_signup_keeps_what_was_typed_and_explains_each_error(client, thai_nguyen):
    data = {
        **SIGNUP,
        "province": thai_nguyen.pk,
        "tax_code": "12345",
        "password2": "something-else-entirely",
    }
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Công ty TNHH Chè Đại Từ" in html  # the firm name is still in the form
    assert "10 chữ số" in html  # tax code message, in Vietnamese
    assert not Organization.objects.filter(name=SIGNUP["name"]).exists()


@pytest.mark.django_db
def test_signup_refuses_a_short_password(client, thai_nguyen):
    data = {**SIGNUP, "province": thai_nguyen.pk, "password1": "short", "password2": "short"}
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


@pytest.mark.django_db
def test_staff_approves_a_registration_of_their_province(
    client, staff_tn, pending_enterprise_tn, django_capture_on_commit_callbacks
):
    client.force_login(staff_tn)
    listing = client.get(reverse("accounts:pending"))
    assert pending_enterprise_tn.organization.name in listing.content.decode()
    org = pending_enterprise_tn.organization
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:review", args=[org.pk]), {"decision": "approve"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == Organization.Status.ACTIVE
    assert mail.outbox[-1].to == [pending_enterprise_tn.email]


@pytest.mark.django_db
def test_rejecting_needs_a_reason(client, staff_tn, pending_enterprise_tn):
    client.force_login(staff_tn)
    org = pending_enterprise_tn.organization
    response = client.post(
        reverse("accounts:review", args=[org.pk]), {"decision": "reject", "note": ""}
    )
    assert response.status_code == 400
    org.refresh_from_db()
    assert org.status == Organization.Status.PENDING


@pytest.mark.parametrize("who", ["staff_bn", "enterprise_tn", "rep_jp", "coordinator"])
@pytest.mark.django_db
def test_no_one_else_can_approve_a_thai_nguyen_registration(
    client, cast, who, pending_enterprise_tn
):
    client.force_login(cast(who))
    org = pending_enterprise_tn.organization
    response = client.post(reverse("accounts:review", args=[org.pk]), {"decision": "approve"})
    assert response.status_code == 404
    org.refresh_from_db()
    assert org.status == Organization.Status.PENDING


@pytest.mark.django_db
def test_invited_user_sets_a_password_from_the_emailed_link(
    client, rep_jp, django_capture_on_commit_callbacks
):
    rep_jp.set_unusable_password()
    rep_jp.save()
    with django_capture_on_commit_callbacks(execute=True):
        user_invite(user=rep_jp)
    link = next(
        line for line in mail.outbox[-1].body.splitlines() if "/accounts/invitation/" in line
    )
    path = link.strip().split("8000", 1)[-1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "mat-khau-moi-rat-dai", "new_password2": "mat-khau-moi-rat-dai"},
    )
    assert response.status_code == 302
    rep_jp.refresh_from_db()
    assert rep_jp.check_password("mat-khau-moi-rat-dai")


@pytest.mark.django_db
def test_login_is_locked_after_five_failures(client, enterprise_tn):
    url = reverse("accounts:login")
    for _ in range(5):
        client.post(url, {"username": enterprise_tn.email, "password": "wrong-password!"})
    response = client.post(
        url, {"username": enterprise_tn.email, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_with_email_reaches_the_role_dashboard(client, staff_tn):
    response = client.post(
        reverse("accounts:login"),
        {"username": staff_tn.email.upper(), "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("insights:dashboard_staff")


@pytest.mark.django_db
def test_profile_names_the_role_in_words(client, staff_tn):
    from django.utils import translation

    from accounts.models import Role

    client.force_login(staff_tn)
    page = client.get(reverse("accounts:profile")).content.decode()
    from django.utils.html import escape

    with translation.override("vi"):
        assert escape(str(Role.STAFF.label)) in page
    assert "· staff ·" not in page
