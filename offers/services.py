"""Every write to an offer: create, edit, publish, archive, expire, remind, attachments."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from matching.tasks import embed_record, match_offer
from notifications.models import Kind
from notifications.services import send_mail
from outbox.services import enqueue_on_commit
from portal.text import detect_language, normalize_text, search_blob
from portal.uploads import MAX_ATTACHMENTS, safe_filename

from .models import Offer, OfferAttachment, OfferEvent

# Model fields a representative writes (the M2M "fields" and "cooperation" come as lists).
TEXT_FIELDS = (
    "title",
    "summary",
    "title_vi",
    "summary_vi",
    "description",
    "advantages",
    "applications",
    "keywords",
    "patent_numbers",
    "terms",
    "provider_name",
)
PLAIN_FIELDS = (
    "external_ref",
    "provider_type",
    "provider_country",
    "provider_website",
    "trl",
    "ip_status",
    "valid_until",
    "source_url",
)
M2M_FIELDS = ("fields", "cooperation")
WRITABLE = TEXT_FIELDS + PLAIN_FIELDS + M2M_FIELDS
MAX_FIELDS = 3
REMIND_DAYS_BEFORE = 14


class OfferIncomplete(ValidationError):
    """Publishing refused: the profile misses what a firm needs to judge it."""


@dataclass
class SimilarOffersFound(Exception):
    """Publishing paused: offers with the same provider and a similar title exist."""

    similar: Sequence[Offer]


# --- helpers -----------------------------------------------------------------------------------

_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def offer_detect_language(offer: Offer) -> str:
    """The language of the original title and summary: ja, ko, zh, vi or en."""
    text = f"{offer.title} {offer.summary} {offer.description}"
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    if _HAN.search(text):
        return "zh"
    return detect_language(text)


def offer_refresh_derived(offer: Offer) -> None:
    """Recompute the folded search text and the detected language (call before saving)."""
    offer.search_text = search_blob(
        offer.title,
        offer.summary,
        offer.title_vi,
        offer.summary_vi,
        offer.description,
        offer.keywords,
        offer.provider_name,
    )
    offer.language = offer_detect_language(offer)


def _assign(offer: Offer, data: dict[str, Any]) -> dict[str, Any]:
    """Copy scalar values onto the offer; return the M2M values to set after saving."""
    unknown = set(data) - set(WRITABLE)
    if unknown:
        raise TypeError(f"not writable: {sorted(unknown)}")
    for name in TEXT_FIELDS:
        if name in data:
            setattr(offer, name, normalize_text(data[name] or "").strip())
    for name in PLAIN_FIELDS:
        if name in data:
            value = data[name]
            setattr(
                offer, name, value if value is not None or name in ("trl", "valid_until") else ""
            )
    return {
        name: list(data[name]) for name in M2M_FIELDS if name in data and data[name] is not None
    }


def _save(offer: Offer, m2m: dict[str, Any]) -> None:
    offer_refresh_derived(offer)
    offer.save()
    for name, values in m2m.items():
        getattr(offer, name).set(values)


def _record(offer: Offer, *, by, from_status: str, note: str = "") -> None:
    OfferEvent.objects.create(
        offer=offer, actor=by, from_status=from_status, to_status=offer.status, note=note
    )


def offer_transition(
    offer: Offer, to: str, *, by, note: str = "", changes: dict[str, Any] | None = None
) -> Offer:
    """Move a locked offer to `to` if `Offer.WORKFLOW` allows it, with `changes`, and record the
    OfferEvent. Every status change of an offer goes through here."""
    return Offer.WORKFLOW.move(offer, to, by=by, note=note, changes=changes)


# --- completeness (EEN profile quality guidelines) ----------------------------------------------


def offer_completeness(offer: Offer) -> list[tuple[str, str]]:
    """What a publishable profile still lacks, as (field, message) pairs; empty when complete.

    After EEN's guidelines: a clear title and summary, what is innovative, the stage of
    development, the IP status and the cooperation sought; plus who provides it and until when.
    """
    problems: list[tuple[str, str]] = []

    def need(condition: bool, field: str, message) -> None:
        if not condition:
            problems.append((field, str(message)))

    need(bool(offer.title), "title", _("Give the offer a title."))
    need(
        len(offer.summary) >= 80,
        "summary",
        _("Write a summary of at least 80 characters: what the technology is and does."),
    )
    need(
        len(offer.advantages) >= 40,
        "advantages",
        _("Describe the advantages and innovations (at least 40 characters)."),
    )
    need(bool(offer.provider_name), "provider_name", _("Name the provider."))
    need(bool(offer.provider_country), "provider_country", _("Give the provider's country."))
    need(offer.trl_id is not None, "trl", _("Give the stage of development (TRL)."))
    need(bool(offer.ip_status), "ip_status", _("Give the IP status."))
    need(
        offer.ip_status not in (Offer.IPStatus.PATENT_GRANTED, Offer.IPStatus.PATENT_PENDING)
        or bool(offer.patent_numbers),
        "patent_numbers",
        _("Give the patent or application numbers."),
    )
    need(offer.pk is not None and offer.fields.exists(), "fields", _("Choose 1 to 3 S&T fields."))
    need(
        offer.pk is not None and offer.cooperation.exists(),
        "cooperation",
        _("Choose the cooperation offered."),
    )
    need(
        offer.valid_until is None or offer.valid_until >= timezone.localdate(),
        "valid_until",
        _("The valid-until date is in the past."),
    )
    return problems


def offer_advice(offer: Offer) -> list[tuple[str, str]]:
    """Gaps that do not block publishing but cost readers (the Vietnamese texts above all)."""
    advice = []
    if offer.language != "vi" and not (offer.title_vi and offer.summary_vi):
        advice.append(
            (
                "summary_vi",
                str(
                    _(
                        "Add a Vietnamese title and summary: most provincial firms read only Vietnamese."
                    )
                ),
            )
        )
    if not offer.valid_until:
        advice.append(("valid_until", str(_("Say until when the offer is valid."))))
    return advice


def _require_complete(offer: Offer) -> None:
    problems = offer_completeness(offer)
    if problems:
        errors: dict[str, list[str]] = {}
        for field, message in problems:
            errors.setdefault(field, []).append(message)
        raise OfferIncomplete(errors)


# --- lifecycle ---------------------------------------------------------------------------------


@transaction.atomic
def offer_create(*, by, data: dict[str, Any]) -> Offer:
    """Save a new draft for the user's representation; incomplete data is fine for a draft."""
    permissions.require(by, "offer.create")
    offer = Offer(representation_id=by.organization_id, created_by=by)
    m2m = _assign(offer, data)
    _save(offer, m2m)
    _record(offer, by=by, from_status="", note="created")
    # Embed the draft now: publishing it later then ranks at once instead of embedding first.
    enqueue_on_commit(embed_record, "offer", offer.id)
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, by, data: dict[str, Any]) -> Offer:
    """Edit a draft or a published offer; a published one must stay complete and is re-matched."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    permissions.require(by, "offer.edit", offer)
    previous_valid_until = offer.valid_until
    m2m = _assign(offer, data)
    if offer.valid_until != previous_valid_until:
        offer.expiry_reminder_sent_at = None  # a new date deserves its own reminder
    _save(offer, m2m)
    if offer.status == Offer.Status.PUBLISHED:
        _require_complete(offer)  # raising rolls the edit back
        enqueue_on_commit(match_offer, offer.id)
    else:
        enqueue_on_commit(embed_record, "offer", offer.id)
    return offer


@transaction.atomic
def offer_publish(*, offer: Offer, by, confirm_similar: bool = False, note: str = "") -> Offer:
    """Publish a complete draft (or re-publish an archived offer) and queue its matching.

    Raises OfferIncomplete, or SimilarOffersFound unless the user confirmed after seeing them.
    """
    from .selectors import offers_similar_to

    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    action = "offer.republish" if offer.status == Offer.Status.ARCHIVED else "offer.publish"
    permissions.require(by, action, offer)
    _require_complete(offer)
    if not confirm_similar:
        similar = list(offers_similar_to(offer, user=by))
        if similar:
            raise SimilarOffersFound(similar)
    offer_transition(
        offer,
        Offer.Status.PUBLISHED,
        by=by,
        note=note,
        changes={"published_at": timezone.now(), "archived_at": None},
    )
    enqueue_on_commit(match_offer, offer.id)
    return offer


@transaction.atomic
def offer_archive(*, offer: Offer, by, note: str = "") -> Offer:
    """Take an offer out of the catalog; it can be re-published later."""
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    permissions.require(by, "offer.archive", offer)
    return offer_transition(
        offer, Offer.Status.ARCHIVED, by=by, note=note, changes={"archived_at": timezone.now()}
    )


@transaction.atomic
def offers_archive_expired(*, today: dt.date | None = None) -> int:
    """Archive published offers whose valid-until date has passed; returns how many."""
    today = today or timezone.localdate()
    now = timezone.now()
    # Rows another transaction holds (an edit, a concurrent run) are left for the next run.
    expired = list(
        Offer.objects.select_for_update(skip_locked=True).filter(
            status=Offer.Status.PUBLISHED, valid_until__lt=today
        )
    )
    for offer in expired:
        offer_transition(
            offer, Offer.Status.ARCHIVED, by=None, note="expired", changes={"archived_at": now}
        )
    return len(expired)


def offers_remind_expiring(*, today: dt.date | None = None) -> int:
    """Queue a mail to each representation about its offers expiring within 14 days, once per
    date; returns how many offers got one (the recipient's preference applies on sending)."""
    today = today or timezone.localdate()
    due = (
        Offer.objects.filter(
            status=Offer.Status.PUBLISHED,
            expiry_reminder_sent_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("created_by", "representation")
        .order_by("id")
    )
    sent = 0
    for offer in due:
        # The claimed flag and the queued mail commit together: neither without the other.
        with transaction.atomic():
            # Compare-and-swap: of two concurrent runs, only the one that flips the flag sends.
            claimed = Offer.objects.filter(
                pk=offer.pk, expiry_reminder_sent_at__isnull=True
            ).update(expiry_reminder_sent_at=timezone.now())
            if claimed and send_mail(
                to=_reminder_recipients(offer),
                template="offers/email/expiry_reminder",
                context={"offer": offer},
                kind=Kind.OFFER_EXPIRING,
            ):
                sent += 1
    return sent


def _reminder_recipients(offer: Offer) -> list[str]:
    if offer.created_by and offer.created_by.is_active and offer.created_by.email:
        return [offer.created_by.email]
    members = offer.representation.members.filter(is_active=True).values_list("email", flat=True)
    return list(members) or (
        [offer.representation.contact_email] if offer.representation.contact_email else []
    )


# --- attachments -------------------------------------------------------------------------------


@transaction.atomic
def offer_attach(*, offer: Offer, by, files: Iterable[tuple[Any, str]]) -> list[OfferAttachment]:
    """Store checked uploads ([(file, mime)] from AttachmentsField) on an editable offer."""
    permissions.require(by, "offer.edit", offer)
    files = list(files)
    if offer.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("An offer carries at most %(n)d attachments.")
                % {"n": MAX_ATTACHMENTS}
            }
        )
    created = []
    for upload, mime in files:
        attachment = OfferAttachment(
            offer=offer,
            original_name=safe_filename(upload.name),
            content_type=mime,
            size=upload.size,
            uploaded_by=by,
        )
        attachment.file.save(attachment.original_name, upload, save=False)
        attachment.save()
        created.append(attachment)
    return created


@transaction.atomic
def offer_detach(*, attachment: OfferAttachment, by) -> None:
    permissions.require(by, "offer.edit", attachment.offer)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
