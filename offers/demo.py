"""Demo offers (about 40) for `manage.py seed_demo`. Idempotent: keyed by external_ref.

The texts come from offers/demo_data.json (public technology descriptions, English and
Vietnamese originals with Vietnamese summaries, a few Japanese and Korean ones).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.utils import timezone

from portal.models import CooperationType, Field, TechnologyReadinessLevel

from . import services
from .models import Offer, OfferEvent

DATA = Path(__file__).with_name("demo_data.json")
REP_USERS = {
    "rep-japan": "rep.japan@demo.local",
    "rep-korea": "rep.korea@demo.local",
    "rep-germany": "rep.germany@demo.local",
    "rep-france": "rep.france@demo.local",
    "rep-usa": "rep.usa@demo.local",
}


def seed(context) -> None:
    fields = {f.code: f for f in Field.objects.all()}
    cooperation = {c.code: c for c in CooperationType.objects.all()}
    levels = {t.level: t for t in TechnologyReadinessLevel.objects.all()}
    today = timezone.localdate()
    now = timezone.now()
    for item in json.loads(DATA.read_text(encoding="utf-8")):
        representation = context.organizations[item["rep"]]
        user = context.users.get(REP_USERS[item["rep"]])
        offer = Offer.objects.filter(
            representation=representation,
            provider_name=item["provider_name"],
            external_ref=item["ref"],
        ).first() or Offer(representation=representation, external_ref=item["ref"])
        created = offer.pk is None
        for name in (
            "provider_name",
            "provider_type",
            "provider_country",
            "title",
            "summary",
            "title_vi",
            "summary_vi",
            "description",
            "advantages",
            "applications",
            "keywords",
            "ip_status",
            "patent_numbers",
            "terms",
            "source_url",
        ):
            setattr(offer, name, item[name])
        offer.trl = levels.get(item["trl"])
        offer.created_by = user
        if created:
            offer.valid_until = today + dt.timedelta(days=item["valid_days"])
            offer.status = Offer.Status.PUBLISHED
            offer.published_at = now
        services.offer_refresh_derived(offer)
        # Written directly, not through offer_publish: seeding must not queue 40 matching jobs
        # (matching.demo rebuilds once after all seeders).
        offer.save()
        offer.fields.set([fields[c] for c in item["fields"] if c in fields])
        offer.cooperation.set([cooperation[c] for c in item["cooperation"] if c in cooperation])
        if created:
            OfferEvent.objects.create(
                offer=offer, actor=user, from_status="", to_status=offer.status, note="demo"
            )
