from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    """Members (merchant companies), their shops, teams and rights."""

    name = "certification"
    verbose_name = _("Certification")
