from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import EmailPreferenceForm
from .models import EmailPreference, Kind, Notification


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; showing a page marks it read."""
    page = Paginator(Notification.objects.filter(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    notifications = list(page.object_list)  # still shows which ones were new
    services.notifications_mark_read(
        user=request.user, ids=[n.pk for n in notifications if n.read_at is None]
    )
    return render(
        request, "notifications/list.html", {"page": page, "notifications": notifications}
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference = EmailPreference.objects.filter(user=request.user).first()
    muted = preference.muted_kinds if preference else []
    form = EmailPreferenceForm(
        request.POST or None,
        initial={"wanted": [kind for kind in Kind.values if kind not in muted]},
    )
    if request.method == "POST" and form.is_valid():
        services.email_preference_set(user=request.user, wanted_kinds=form.cleaned_data["wanted"])
        messages.success(request, _("Your email preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
