"""Verification documents: immutable PDFs with their SHA-256 and Ed25519 signature."""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from certification.models.marks import TrustMark
from certification.models.members import Shop


class PrivateStorage(FileSystemStorage):
    """Files at PRIVATE_MEDIA_ROOT, read when first used and again when the setting changes
    (as FileSystemStorage does for MEDIA_ROOT), so a test can give itself its own store."""

    @cached_property
    def base_location(self) -> str:
        return self._value_or_setting(self._location, str(settings.PRIVATE_MEDIA_ROOT))

    def _clear_cached_properties(self, setting: str, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage() -> FileSystemStorage:
    """Documents are never served as static files: only through an access-checked view."""
    return PrivateStorage()


def document_path(instance: VerificationDocument, filename: str) -> str:
    """One name per shop and version, so a render retried after a crash writes over the
    file its dead attempt left instead of leaving a second one beside it."""
    return f"documents/{instance.shop.public_id}/v{instance.version}.pdf"


class VerificationDocument(models.Model):
    class Kind(models.TextChoices):
        FINDINGS = "findings", _("Findings")
        DECISION = "decision", _("Decision")

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="documents")
    mark = models.ForeignKey(
        TrustMark, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=document_path)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    signature = models.CharField(_("signature"), max_length=128)
    key_id = models.CharField(_("key id"), max_length=32)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("verification document")
        verbose_name_plural = _("verification documents")
        ordering = ["shop", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "version"], name="document_version_per_shop"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="verification_document_immutable",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.shop.domain} v{self.version}"
