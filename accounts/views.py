from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from portal.i18n import supported_language

from . import permissions, services
from .forms import (
    EmailAuthenticationForm,
    EnterpriseSignupForm,
    PasswordResetForm,
    ProfileForm,
    RegistrationReviewForm,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class InvitationView(auth_views.PasswordResetConfirmView):
    """The link in an invitation email: the invited person chooses a password."""

    template_name = "accounts/invitation_accept.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False

    def form_valid(self, form):
        if not form.user.language:  # invited by someone else: the browser's language is theirs
            services.user_language_set(user=form.user, language=_visitor_language(self.request))
        messages.success(self.request, _("Your password is set. Sign in with your email."))
        return super().form_valid(form)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The top bar's language switcher: Django's cookie, and a signed-in person's preference."""
    response = set_language(request)
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("insights:dashboard")
    form = EnterpriseSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.enterprise_register(
            organization=form.organization(),
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"],
            # The language the visitor reads the form in: the switcher's, else the browser's.
            language=_visitor_language(request),
        )
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def _visitor_language(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return supported_language(chosen) or services.language_from_accept(
        request.META.get("HTTP_ACCEPT_LANGUAGE")
    )


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@login_required
def pending_registrations(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, "organization.list_pending"):
        raise Http404
    organizations = permissions.pending_registrations_for(request.user).select_related("province")
    return render(
        request,
        "accounts/pending_list.html",
        {
            "organizations": organizations.prefetch_related("members"),
            "form": RegistrationReviewForm(),
        },
    )


@login_required
@require_POST
def review_registration(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(permissions.pending_registrations_for(request.user), pk=pk)
    form = RegistrationReviewForm(request.POST)
    if not form.is_valid():
        organizations = permissions.pending_registrations_for(request.user).select_related(
            "province"
        )
        return render(
            request,
            "accounts/pending_list.html",
            {
                "organizations": organizations.prefetch_related("members"),
                "form": form,
                "form_for": organization.pk,
            },
            status=400,
        )
    approve = form.cleaned_data["decision"] == "approve"
    services.organization_review(
        organization=organization, by=request.user, approve=approve, note=form.cleaned_data["note"]
    )
    if approve:
        messages.success(
            request,
            _("%(name)s is approved; its members can now use the portal.")
            % {"name": organization.name},
        )
    else:
        messages.info(
            request,
            _("%(name)s is rejected; its members were told why.") % {"name": organization.name},
        )
    return redirect("accounts:pending")


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(
        permissions.organizations_visible_to(request.user).select_related("province"), pk=pk
    )
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "members": organization.members.filter(is_active=True).order_by("email"),
        },
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/form_page.html",
    success_url=reverse_lazy("accounts:password_change_done"),
    extra_context={"title": gettext_lazy("Change password")},
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/message_page.html",
    extra_context={
        "title": gettext_lazy("Password changed"),
        "message": gettext_lazy("Your password is changed."),
    },
)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, with requests limited per address and per IP."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        if services.password_reset_allowed(
            email=form.cleaned_data["email"], ip=get_client_ip_address(self.request)
        ):
            return super().form_valid(form)
        # The same answer as when a link is sent: it tells neither that the address has an
        # account nor that the limit is reached.
        return HttpResponseRedirect(self.get_success_url())


password_reset = PasswordResetView.as_view(
    template_name="accounts/form_page.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
    extra_context={
        "title": gettext_lazy("Reset your password"),
        "intro": gettext_lazy(
            "Type the email you sign in with; we send you a link to choose a new password."
        ),
    },
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/message_page.html",
    extra_context={
        "title": gettext_lazy("Check your email"),
        "message": gettext_lazy(
            "If an account uses that address, a link to reset its password is on its way."
        ),
    },
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/invitation_accept.html",
    success_url=reverse_lazy("accounts:login"),
)
