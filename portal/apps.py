from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The shell every person sees: layout, navigation, dashboards, team pages."""

    name = "portal"
    verbose_name = _("Portal")
