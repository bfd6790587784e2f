from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    """Members (merchant companies), their shops, teams and rights."""

    name = "certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        from certification.integrations import tell_people_endpoint_disabled
        from notifications.webhooks import endpoint_disabled_for_failing

        endpoint_disabled_for_failing.connect(
            tell_people_endpoint_disabled, dispatch_uid="certification.tell_endpoint_disabled"
        )
