"""A match's thread: read and write (signed-in parties and staff, or a provider contact through
its signed link), hide a message, download a message's file, add or remove provider contacts.
Everything outside the reader's scope answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from matching.models import Match

from . import rules, selectors, thread_selectors, thread_services
from .models import MessageAttachment, ProviderContact, Side
from .thread_forms import HideMessageForm, MessageForm, ProviderContactForm


def _match(request: HttpRequest, pk: int, action: str = "match.read_thread") -> Match:
    match = get_object_or_404(selectors.connections_visible_to(request.user), pk=pk)
    if not permissions.can(request.user, action, match):
        raise Http404
    return match


def _post(form: MessageForm, call) -> bool:
    """Run the service on a valid form; its refusals become the form's errors (nothing typed
    is lost: the page is shown again with the text)."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error.messages)  # shown above the form (the channel may be hidden)
        return False
    return True


def _file_urls(channels, url_of) -> None:
    for channel in channels:
        for message in channel.messages:
            for attachment in message.attachments.all():
                attachment.download_url = url_of(attachment)


@login_required
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    """The channels the user reads on a match, and a form for the ones they may write in."""
    user = request.user
    match = _match(request, pk)
    side = rules.side_of(user, match)
    writable = rules.writable_channels(side, match)
    form = MessageForm(channels=writable) if writable else None
    if request.method == "POST":
        if not writable:
            raise Http404
        form = MessageForm(request.POST, request.FILES, channels=writable)
        sent = _post(
            form,
            lambda data: thread_services.message_post(
                match=match,
                by=user,
                channel=data["channel"],
                body=data["body"],
                attachments=data["attachments"],
            ),
        )
        if sent:
            messages.success(request, _("Your message is sent."))
            return redirect(f"{thread_selectors.thread_path(match.pk)}#message-form")
    channels = thread_selectors.thread_of(user, match)
    _file_urls(
        channels,
        lambda a: f"{thread_selectors.thread_path(match.pk)}files/{a.pk}/",
    )
    thread_services.thread_mark_read(user=user, match=match)
    can_add_contact = permissions.can(user, "match.add_provider_contact", match)
    return render(
        request,
        "connections/match_thread.html",
        {
            "match": match,
            "channels": channels,
            "form": form,
            "side": side,
            "can_hide": permissions.can(user, "match.hide_message", match),
            "contacts": thread_selectors.active_contacts(match)
            if side in (Side.STAFF, Side.REPRESENTATION)
            else [],
            "contact_form": ProviderContactForm() if can_add_contact else None,
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
@require_POST
def message_hide(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    match = _match(request, pk, "match.hide_message")
    message = get_object_or_404(match.messages, pk=message_pk)
    form = HideMessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the message is hidden."))
    else:
        thread_services.message_hide(
            message=message, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The message is hidden from everyone but staff."))
    return redirect(f"{thread_selectors.thread_path(match.pk)}#message-{message.pk}")


def _download(attachment: MessageAttachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    match = _match(request, pk)
    attachment = get_object_or_404(
        MessageAttachment.objects.select_related("message"), pk=attachment_pk, message__match=match
    )
    attachment.message.match = match
    if not permissions.can(request.user, "message.view", attachment.message):
        raise Http404
    return _download(attachment)


@login_required
@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    match = _match(request, pk, "match.add_provider_contact")
    form = ProviderContactForm(request.POST)
    if form.is_valid():
        try:
            contact = thread_services.provider_contact_add(
                match=match, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is invited by email.") % {"name": contact.name})
    else:
        messages.error(request, _("Give the contact's name and a valid email."))
    return redirect(f"{thread_selectors.thread_path(match.pk)}#contacts")


@login_required
@require_POST
def contact_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    match = _match(request, pk, "match.add_provider_contact")
    contact = get_object_or_404(ProviderContact, pk=contact_pk, match=match)
    thread_services.provider_contact_remove(contact=contact, by=request.user)
    messages.success(request, _("%(name)s no longer takes part.") % {"name": contact.name})
    return redirect(f"{thread_selectors.thread_path(match.pk)}#contacts")


# --- a provider contact, through the signed link in its emails ----------------------------------


def _contact(token: str) -> ProviderContact:
    contact = thread_services.contact_from_token(token)
    if contact is None or contact.match.status not in Match.INTRODUCED_STATUSES:
        raise Http404
    return contact


def contact_thread(request: HttpRequest, token: str) -> HttpResponse:
    """What the contact's representation reads, without an account; it writes as that side."""
    contact = _contact(token)
    match = contact.match
    writable = rules.writable_channels(Side.REPRESENTATION, match)
    with translation.override(contact.language):
        form = MessageForm(channels=writable) if writable else None
        if request.method == "POST":
            if not writable:
                raise Http404
            form = MessageForm(request.POST, request.FILES, channels=writable)
            sent = _post(
                form,
                lambda data: thread_services.message_post(
                    match=match,
                    contact=contact,
                    channel=data["channel"],
                    body=data["body"],
                    attachments=data["attachments"],
                ),
            )
            if sent:
                messages.success(request, _("Your message is sent."))
                return redirect(request.path + "#message-form")
        channels = thread_selectors.thread_of_contact(contact)
        _file_urls(channels, lambda a: f"{request.path}files/{a.pk}/")
        response = render(
            request,
            "connections/contact_thread.html",
            {"match": match, "contact": contact, "channels": channels, "form": form},
            status=400 if form is not None and form.is_bound else 200,
        )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never pass it on
    return response


def contact_attachment(request: HttpRequest, token: str, attachment_pk: int) -> FileResponse:
    contact = _contact(token)
    match = contact.match
    readable = rules.readable_channels(Side.REPRESENTATION, match)
    attachment = get_object_or_404(
        MessageAttachment.objects.select_related("message"),
        pk=attachment_pk,
        message__match=match,
        message__channel__in=readable,
        message__hidden_at__isnull=True,
    )
    return _download(attachment)
