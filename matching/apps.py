from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import search

        search.register()  # search by meaning in the offer and demand catalogues
