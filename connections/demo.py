"""Demo connections: walk a few designated pairs (ranked by matching.demo) through the
connection pipeline (a shortlist, an introduction, a meeting and a signed agreement), each
pairing a demand with an offer that answers it."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from matching.models import Answer, Match
from portal.text import normalize_text

from . import services
from .models import MatchEvent

logger = logging.getLogger(__name__)

# (demand title, offer ref, stage it reaches, meeting time zone and interpreter language).
# The offers are among the demand's answers in demands.demo.DEMANDS.
STORIES = [
    ("Xử lý nước thải nhỏ gọn cho nhà máy linh kiện", "DEMO-A21", "shortlisted", None),
    (
        "Tái chế phế liệu hợp kim cứng (WC-Co) từ dụng cụ cắt đã qua sử dụng",
        "DEMO-A08",
        "introduced",
        None,
    ),
    (
        "Tái sinh dung dịch ăn mòn đồng và thu hồi đồng tại xưởng sản xuất mạch in",
        "DEMO-A05",
        "meeting",
        ("Europe/Berlin", "de"),
    ),
    (
        "Cơ giới hóa khâu làm héo, diệt men và vò chè xanh",
        "DEMO-A01",
        "agreement",
        ("Asia/Tokyo", "ja"),
    ),
]


def _story_match(title: str, offer_ref: str) -> Match | None:
    """The designated pair, or else the demand's best-ranked answering offer."""
    from demands.demo import ANSWERS

    title = normalize_text(title)
    matches = Match.objects.filter(
        demand__title=title, status=Match.Status.PROPOSED
    ).select_related("demand", "offer")
    match = matches.filter(offer__external_ref=offer_ref).first()
    if match is None:
        match = (
            matches.filter(offer__external_ref__in=ANSWERS.get(title, []))
            .order_by("-score", "id")
            .first()
        )
        logger.warning("demo: %s is not among the matches of %r; using %s", offer_ref, title, match)
    return match


def seed(context) -> None:
    """The stories above, made through the pipeline services (once: idempotent)."""
    staff = context.users.get("staff.thainguyen@demo.local")
    if staff is None or MatchEvent.objects.exists():
        return
    with transaction.atomic():
        for title, offer_ref, stage, meeting in STORIES:
            match = _story_match(title, offer_ref)
            if match is None:
                continue
            if stage == "shortlisted":
                services.match_shortlist(match=match, by=staff, note="Demo")
                continue
            services.match_introduce(match=match, by=staff)
            if stage == "introduced":
                continue
            for side in (match.demand.organization, match.offer.representation):
                member = side.members.filter(is_active=True).first()
                if member is not None:
                    services.match_answer(match=match, by=member, answer=Answer.INTERESTED)
            match.refresh_from_db()
            if match.status != Match.Status.CONSENTED:
                continue
            zone, language = meeting
            services.match_schedule_meeting(
                match=match,
                by=staff,
                data={
                    "starts_at": timezone.now() + datetime.timedelta(days=7),
                    "timezone": zone,
                    "mode": "online",
                    "interpreter_needed": True,
                    "interpreter_language": language,
                },
            )
            if stage == "agreement":
                services.match_start_negotiation(match=match, by=staff)
                # A complete line with operator training, within the enterprise's budget.
                services.match_record_agreement(
                    match=match,
                    by=staff,
                    kind="equipment_purchase",
                    value_vnd=2_400_000_000,
                    signed_on=timezone.localdate(),
                    registration_required=False,
                )
