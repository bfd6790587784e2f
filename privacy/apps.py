from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """A buyer's personal data: export, erasure on request, retention windows."""

    name = "privacy"
    verbose_name = "Personal data"
