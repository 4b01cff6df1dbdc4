from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "offers"
    verbose_name = _("Technology offers")
    default_auto_field = "django.db.models.BigAutoField"
