"""Staff sign in with a second factor: a TOTP device plus single-use recovery codes.

Staff act on other people's shops, claims and money, so a stolen password alone
must not be enough. The devices and their checks are django-otp's; this module
only says who needs them and how a first device is confirmed.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import staff_roles_of

RECOVERY_CODE_COUNT = 10


def needs_second_factor(user: Any) -> bool:
    """Staff roles and Django admin access both need a verified second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(staff_roles_of(user)) or user.is_staff or user.is_superuser


def confirmed_totp(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps and `oathtool -b` take it (base32)."""
    return b32encode(device.bin_key).decode()


def ensure_totp(*, user: Any) -> TOTPDevice:
    """A confirmed device, kept when there is one (the demo's staff: loading twice keeps it)."""
    device = confirmed_totp(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


def pending_totp(user: Any) -> TOTPDevice:
    """The unconfirmed device being set up; the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def confirm_totp(*, request: Any, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a first device with a code from it; returns the new recovery codes once."""
    if not device.verify_token(token.strip()):
        return None
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = replace_recovery_codes(user=device.user)
    otp_login(request, device)
    return codes


def replace_recovery_codes(*, user: Any) -> list[str]:
    """A fresh set of single-use codes; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify_second_factor(*, request: Any, token: str) -> bool:
    """A code from the authenticator or an unused recovery code marks the session verified."""
    device = match_token(request.user, token.strip())
    if device is None or not device.confirmed:
        return False
    otp_login(request, device)
    return True
