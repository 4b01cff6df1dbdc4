"""Demo matches: rank every published demand and offer once, in-process."""

from . import services
from .corpus import matchable_demands, matchable_offers


def seed(context) -> None:
    for demand_id in matchable_demands().values_list("pk", flat=True):
        services.match_demand(demand_id=demand_id)
    for offer_id in matchable_offers().values_list("pk", flat=True):
        services.match_offer(offer_id=offer_id)
    _seed_pipeline(context)


def _seed_pipeline(context) -> None:
    """A few connections at different stages, made through the pipeline services (idempotent)."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from . import pipeline
    from .models import Answer, Match, MatchEvent

    staff = context.users.get("staff.thainguyen@demo.local")
    if staff is None or MatchEvent.objects.exists():
        return
    candidates = list(
        Match.objects.filter(status=Match.Status.PROPOSED, demand__province_id=staff.province_id,
                             demand__status="published")
        .select_related("demand", "offer").order_by("-score", "id")
    )
    picked, seen = [], set()
    for match in candidates:  # one match per demand, so each demand tells one story
        if match.demand_id not in seen:
            picked.append(match)
            seen.add(match.demand_id)
    if len(picked) < 4:
        return
    with transaction.atomic():
        shortlisted, introduced, consented, signed = picked[:4]
        pipeline.match_shortlist(match=shortlisted, by=staff, note="Demo")
        for match in (introduced, consented, signed):
            pipeline.match_introduce(match=match, by=staff)
        for match in (consented, signed):
            for side in (match.demand.organization, match.offer.representation):
                member = side.members.filter(is_active=True).first()
                if member is not None:
                    pipeline.match_answer(match=match, by=member, answer=Answer.INTERESTED)
            match.refresh_from_db()
            if match.status != Match.Status.CONSENTED:
                return
            pipeline.match_schedule_meeting(match=match, by=staff, data={
                "starts_at": timezone.now() + datetime.timedelta(days=7), "timezone": "Asia/Tokyo",
                "mode": "online", "interpreter_needed": True, "interpreter_language": "Japanese"})
        pipeline.match_start_negotiation(match=signed, by=staff)
        pipeline.match_record_agreement(match=signed, by=staff, kind="license",
                                        value_vnd=1_500_000_000, signed_on=timezone.localdate(),
                                        registration_required=True)
