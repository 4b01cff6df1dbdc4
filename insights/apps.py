from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Dashboards and reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from connections.models import MatchEvent
        from demands.models import DemandEvent
        from offers.models import OfferEvent

        from .snapshots import forget_actor_scope

        # A reader's own status change shows on their dashboard at once (insights/snapshots.py).
        for event in (DemandEvent, OfferEvent, MatchEvent):
            post_save.connect(forget_actor_scope, sender=event, dispatch_uid=f"insights:{event}")
