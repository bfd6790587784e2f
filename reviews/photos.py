"""A product review's photos: checked by content, decoded, re-encoded without metadata, private.

Re-encoding drops whatever rides along in the file (EXIF with GPS, comments,
trailing data) and refuses anything Pillow cannot fully decode. Pixel counts
are bounded before decoding, so a small file cannot expand into a huge image.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.uploads import check_upload, decode_picture
from reviews.models import Review, ReviewPhoto

LONGEST_SIDE = 2000
IMAGE_TYPES = {"image/png", "image/jpeg"}


def reencode(upload: UploadedFile) -> tuple[bytes, int, int]:
    """JPEG bytes of the picture, metadata stripped, at most LONGEST_SIDE pixels a side."""
    _ext, content_type = check_upload(
        upload, max_bytes=settings.REVIEW_PHOTO_MAX_BYTES, field="photos"
    )
    if content_type not in IMAGE_TYPES:
        raise DomainError(_("Photos must be JPEG or PNG pictures."), field="photos")
    picture = decode_picture(upload, field="photos").convert("RGB")
    picture.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), picture.width, picture.height


def check_photos(files: Sequence[UploadedFile]) -> list[tuple[bytes, int, int]]:
    """Every photo re-encoded, or a DomainError before anything is stored."""
    if len(files) > settings.REVIEW_PHOTOS_PER_REVIEW:
        raise DomainError(
            _("At most %(n)s photos, please.") % {"n": settings.REVIEW_PHOTOS_PER_REVIEW},
            field="photos",
        )
    return [reencode(upload) for upload in files]


def attach_photos(review: Review, photos: Sequence[tuple[bytes, int, int]]) -> list[ReviewPhoto]:
    stored = []
    for data, width, height in photos:
        digest = hashlib.sha256(data).hexdigest()
        photo = ReviewPhoto(
            review=review,
            content_type="image/jpeg",
            width=width,
            height=height,
            size=len(data),
            sha256=digest,
        )
        photo.file.save(f"{digest[:16]}.jpg", ContentFile(data), save=False)
        photo.save()
        stored.append(photo)
    return stored
