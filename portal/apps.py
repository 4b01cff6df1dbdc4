from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal and reference data")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .choices import use_vietnamese_country_order

        use_vietnamese_country_order()  # every country list, in every form and filter
