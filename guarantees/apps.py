from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuaranteesConfig(AppConfig):
    """Buyer guarantees, Basic and Plus cover, shop API keys (see the guarantees issue)."""

    name = "guarantees"
    verbose_name = _("Guarantees")

    def ready(self) -> None:
        from guarantees import signals  # noqa: F401  (connects the cache invalidation)
