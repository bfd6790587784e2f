from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    """Quality criteria catalogue, audits, findings and verification documents."""

    name = "audits"
    verbose_name = _("Audits")
