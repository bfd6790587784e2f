"""The quality criteria catalogue: versioned sets of criteria, in three languages."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

TEXT_KEYS = ("title", "requirement", "legal_basis", "auditor_guidance", "merchant_advice")


def pick_language(texts: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """The texts in `language` (or the active one), falling back to English."""
    language = (language or translation.get_language() or "en")[:2]
    return texts.get(language) or texts.get("en") or {}


class CriteriaSet(models.Model):
    """A published version of the catalogue. An audit keeps the set it was made against."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    version = models.CharField(_("version"), max_length=20, unique=True)
    title = models.JSONField(_("title"), default=dict)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["-published_on", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="audits_one_active_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.get_status_display()})"

    def title_in(self, language: str | None = None) -> str:
        language = (language or translation.get_language() or "en")[:2]
        return self.title.get(language) or self.title.get("en") or self.version


class Category(models.Model):
    criteria_set = models.ForeignKey(
        CriteriaSet, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.JSONField(_("name"), default=dict)

    class Meta:
        verbose_name = _("criteria category")
        verbose_name_plural = _("criteria categories")
        ordering = ["criteria_set", "order"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="audits_category_code")
        ]

    def __str__(self) -> str:
        return self.name_in()

    def name_in(self, language: str | None = None) -> str:
        language = (language or translation.get_language() or "en")[:2]
        return self.name.get(language) or self.name.get("en") or self.code


class Criterion(models.Model):
    class Severity(models.TextChoices):
        BLOCKING = "blocking", _("Blocking")
        MAJOR = "major", _("Major")
        MINOR = "minor", _("Minor")

    class AppliesTo(models.TextChoices):
        GOODS = "goods", _("Shops selling goods")
        SERVICES = "services", _("Shops selling services")
        BOTH = "both", _("Every shop")

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="criteria")
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    applies_to = models.CharField(_("applies to"), max_length=16, choices=AppliesTo.choices)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    texts = models.JSONField(
        _("texts"),
        default=dict,
        help_text=_(
            "Per language (en, fr, de): title, requirement, legal_basis, auditor_guidance, "
            "merchant_advice."
        ),
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["criteria_set", "category__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="audits_criterion_code"),
            models.CheckConstraint(
                condition=Q(severity__in=["blocking", "major", "minor"]),
                name="audits_criterion_severity_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text('title')}"

    def text(self, key: str, language: str | None = None) -> str:
        return str(pick_language(self.texts, language).get(key, ""))

    def applies_to_shop(self, sells: str) -> bool:
        return self.applies_to == "both" or sells == "both" or self.applies_to == sells

    @property
    def blocks_approval(self) -> bool:
        return self.severity in (self.Severity.BLOCKING, self.Severity.MAJOR)
