"""Store a rendered verification document: versioned, hashed, signed, immutable."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from certification.models import Shop, TrustMark, VerificationDocument
from certification.signing import key_id, sign_digest, verify_digest
from core.storage import StorageUnavailable, save_file


def store_verification_document(
    *,
    shop: Shop,
    pdf: bytes,
    language: str,
    kind: str,
    reference: str = "",
    mark: TrustMark | None = None,
) -> VerificationDocument:
    """Keep a new version of the shop's document with its SHA-256 and signature."""
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()  # one version at a time
        existing = VerificationDocument.objects.filter(sha256=digest).first()
        if existing is not None:
            return existing  # the same bytes were stored already (a task ran twice)
        latest = VerificationDocument.objects.filter(shop=shop).aggregate(Max("version"))
        version = (latest["version__max"] or 0) + 1
        document = VerificationDocument(
            shop=shop,
            mark=mark,
            version=version,
            kind=kind,
            language=language,
            reference=reference,
            sha256=digest,
            signature=sign_digest(digest),
            key_id=key_id(),
        )
        _clear_leftover(document)
        save_file(document.file, "document.pdf", ContentFile(pdf))  # StorageUnavailable
        document.save()
    return document


def _clear_leftover(document: VerificationDocument) -> None:
    """Remove a file at this version's name that no row points to: a render killed between
    writing the file and committing its row left it (the version is taken under the shop's
    lock, so no live attempt can be writing it)."""
    name = document.file.field.generate_filename(document, "document.pdf")
    storage = document.file.storage
    if storage.exists(name) and not VerificationDocument.objects.filter(file=name).exists():
        try:
            storage.delete(name)
        except OSError as exc:
            raise StorageUnavailable from exc


def document_is_genuine(document: VerificationDocument, content: bytes) -> bool:
    """The bytes hash to the stored digest and the stored signature matches it."""
    digest = hashlib.sha256(content).hexdigest()
    return digest == document.sha256 and verify_digest(digest, document.signature)
