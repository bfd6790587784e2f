from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    """Claims, cases, mediation and payouts (see the claims issue)."""

    name = "disputes"
    verbose_name = _("Disputes")
