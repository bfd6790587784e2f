from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pieces every domain app uses: errors, history context, health."""

    name = "core"
    verbose_name = "Core"
