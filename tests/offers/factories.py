import datetime as dt

import factory
from django.utils import timezone

from offers import services
from offers.models import Offer
from portal.models import CooperationType, Field, TechnologyReadinessLevel


class OfferFactory(factory.django.DjangoModelFactory):
    """A complete offer; `published=True` (the default) publishes it. Pass representation."""

    class Meta:
        model = Offer
        skip_postgeneration_save = True

    provider_name = factory.Sequence(lambda n: f"Provider {n} K.K.")
    provider_type = Offer.ProviderType.COMPANY
    provider_country = "JP"
    title = factory.Sequence(lambda n: f"Technology number {n} for precision moulds")
    summary = "A compact machine that does a precise thing for provincial factories, with numbers to prove it."
    title_vi = factory.Sequence(lambda n: f"Công nghệ số {n} cho khuôn mẫu chính xác")
    summary_vi = "Máy nhỏ gọn làm một việc chính xác cho nhà máy ở tỉnh."
    advantages = "Half the energy of the usual process, and no chemicals at all."
    trl = factory.LazyFunction(lambda: TechnologyReadinessLevel.objects.get(level=7))
    ip_status = Offer.IPStatus.KNOW_HOW
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))
    status = Offer.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def relations(obj, create, extracted, **kwargs):
        if not create:
            return
        services.offer_refresh_derived(obj)
        obj.save()
        obj.fields.set(extracted.get("fields", ["2.03"]) if extracted else ["2.03"])
        obj.cooperation.set(
            CooperationType.objects.filter(
                code__in=(extracted or {}).get("cooperation", ["license"])
            )
        )


def field(code: str) -> Field:
    return Field.objects.get(code=code)
