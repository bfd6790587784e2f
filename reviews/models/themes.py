"""The taxonomy of themes that review texts are matched against, kept as data per language."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    code = models.SlugField(_("code"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    keywords = models.TextField(
        _("keywords"), help_text=_("One word or phrase per line; matched after stemming.")
    )

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["code", "language"]
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="reviews_theme_per_language"),
            models.CheckConstraint(condition=~Q(name=""), name="reviews_theme_named"),
            models.CheckConstraint(condition=~Q(keywords=""), name="reviews_theme_has_keywords"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"
