"""The emailed link to a buyer's data, for buyers without an account (double opt-in).

The link carries the address, signed with SECRET_KEY under its own salt (one
purpose) and a timestamp: it expires after PRIVACY_LINK_HOURS. Whoever holds it
proved they read that inbox, which is what the guarantee pages trust as well.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import DomainError

SALT = "trustmark.privacy.buyer-data"


def data_token(email: str) -> str:
    return signing.dumps({"email": email}, salt=SALT)


def data_url(email: str) -> str:
    return f"{settings.SITE_URL}{reverse('privacy:link', args=[data_token(email)])}"


def email_from_token(token: str) -> str:
    """The address in a link; a DomainError with a message a person understands if not usable."""
    try:
        value = signing.loads(token, salt=SALT, max_age=settings.PRIVACY_LINK_HOURS * 3600)
    except signing.SignatureExpired as exc:
        raise DomainError(
            _("This link has expired. Ask for a new one on the personal data page.")
        ) from exc
    except signing.BadSignature as exc:
        raise DomainError(_("This link is not valid. Copy the whole link from the email.")) from exc
    email = value.get("email") if isinstance(value, dict) else None
    if not isinstance(email, str) or not email:
        raise DomainError(_("This link is not valid. Copy the whole link from the email."))
    return email
