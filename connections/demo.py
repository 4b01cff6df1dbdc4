"""Demo connections: walk a few designated pairs (ranked by matching.demo) through the
connection pipeline (a shortlist, an introduction, a meeting and a signed agreement), each
pairing a demand with an offer that answers it."""

from __future__ import annotations

import datetime
import logging
import zoneinfo

from django.db import transaction
from django.utils import timezone

from matching.models import Answer, Match
from portal.text import normalize_text

from . import services
from .models import Agreement, MatchEvent, Meeting, Message

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
            if stage == "agreement":
                _converse(match, staff)
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
        for title, offer_ref, stage, _meeting in STORIES:
            story = Match.objects.filter(
                demand__title=normalize_text(title), offer__external_ref=offer_ref
            ).first()
            if story is not None and stage != "shortlisted":
                _spread_over_the_last_days(story, past_meeting=stage == "agreement")


# The thread after both sides said interested: staff, the representation, then the firm.
CONVERSATION = [
    (
        "staff",
        "Chào hai bên, Sở KH&CN Thái Nguyên đã chia sẻ liên hệ của hai bên. Đề nghị hai bên "
        "thống nhất lịch họp trực tuyến trong tuần tới; Sở sẽ bố trí phiên dịch tiếng Nhật.",
    ),
    (
        "representation",
        "Thank you. The provider can present its withering and rolling line online, with a "
        "demonstration video; a morning in Tokyo time suits them best.",
    ),
    (
        "enterprise",
        "Cảm ơn anh chị. Công ty chúng tôi đồng ý họp buổi sáng; xin gửi trước báo giá trọn "
        "dây chuyền và nội dung đào tạo vận hành cho công nhân.",
    ),
]


def _converse(match: Match, staff) -> None:
    from accounts.models import User

    from .models import Channel
    from .thread_services import message_post

    writers = {
        "staff": staff,
        "representation": match.offer.representation.members.filter(is_active=True).first(),
        "enterprise": match.demand.organization.members.filter(is_active=True).first(),
    }
    for side, body in CONVERSATION:
        if writers[side] is not None:
            message_post(match=match, channel=Channel.SHARED, body=body, by=writers[side])
    # a week-old conversation its readers have read: no unread badge from the seed
    from notifications.models import Kind, Notification

    from .thread_selectors import thread_path
    from .thread_services import thread_mark_read

    readers = Notification.objects.filter(
        kind=Kind.MESSAGE, url__startswith=f"{thread_path(match.pk)}#"
    ).values_list("user", flat=True)
    for reader in User.objects.filter(pk__in=readers):
        thread_mark_read(user=reader, match=match)


def _spread_over_the_last_days(match: Match, *, past_meeting: bool) -> None:
    """The services stamp every step "now": put the story's steps a day apart after the
    demand's publication, as they would have happened (introduction, answers, a conversation,
    meeting, negotiation, signing), so that delays and dates on the dashboards read as real
    ones. A signed agreement's meeting was held at 9:00 in its zone the day after it was
    scheduled, and what followed came after it."""
    now = timezone.now()
    published = match.demand.published_at or now - datetime.timedelta(days=7)
    when = published
    meeting = Meeting.objects.filter(match=match).first() if past_meeting else None
    for event in match.events.order_by("id"):
        when += datetime.timedelta(days=1)
        MatchEvent.objects.filter(pk=event.pk).update(created_at=min(when, now))
        if meeting is not None and event.to_status == Match.Status.MEETING:
            local = (when + datetime.timedelta(days=1)).astimezone(
                zoneinfo.ZoneInfo(meeting.timezone)
            )
            meeting.starts_at = local.replace(hour=9, minute=0, second=0, microsecond=0)
            meeting.save(update_fields=["starts_at"])
            when = meeting.starts_at  # the next steps follow the meeting
    answered = published + datetime.timedelta(days=2)
    Match.objects.filter(pk=match.pk).update(
        introduced_at=published + datetime.timedelta(days=1),
        enterprise_answered_at=answered if match.enterprise_answered_at else None,
        representation_answered_at=answered if match.representation_answered_at else None,
    )
    # the conversation on the day both had said interested, an hour apart
    for hour, message in enumerate(match.messages.order_by("id"), start=1):
        Message.objects.filter(pk=message.pk).update(
            created_at=answered + datetime.timedelta(hours=hour)
        )
    Agreement.objects.filter(match=match).update(signed_on=timezone.localdate(min(when, now)))
