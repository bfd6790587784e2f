from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The outbox: every email promised by a change is a row first, sent after commit."""

    name = "notifications"
    verbose_name = _("Notifications")
