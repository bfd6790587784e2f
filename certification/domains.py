"""Shop domains: one canonical spelling so that a domain is unique among live shops.

Lower case, no scheme, no path, no port, no trailing dot, IDN as punycode
(IDNA 2008 via the `idna` package).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def normalise_domain(raw: str) -> str:
    """Return the canonical domain, or raise ValidationError saying what is wrong."""
    value = (raw or "").strip()
    if not value:
        raise ValidationError(_("Enter the shop's domain, e.g. shop.example."), code="required")
    if not _SCHEME.match(value):
        value = "//" + value
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError as exc:
        raise ValidationError(_("“%(value)s” is not a domain.") % {"value": raw}) from exc
    if parts.username or parts.password:
        raise ValidationError(_("A shop domain cannot contain a user name or password."))
    host = host.rstrip(".")
    if not host:
        raise ValidationError(_("“%(value)s” is not a domain.") % {"value": raw}, code="invalid")
    if _is_ip_address(host):
        raise ValidationError(_("Enter a domain name, not an IP address."), code="ip_address")
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid domain name.") % {"value": raw}, code="invalid"
        ) from exc
    ascii_host = ascii_host.lower()
    labels = ascii_host.split(".")
    if len(labels) < 2:
        raise ValidationError(
            _("Enter a full domain with its extension, e.g. shop.example."), code="no_tld"
        )
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError(
            _("“%(value)s” is not a valid domain name.") % {"value": raw}, code="invalid"
        )
    if labels[-1].isdigit():
        raise ValidationError(_("The domain's extension cannot be a number."), code="invalid")
    return ascii_host


def display_domain(ascii_host: str) -> str:
    """The Unicode form of a stored domain, for people to read."""
    try:
        return idna.decode(ascii_host)
    except idna.IDNAError:
        return ascii_host


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
