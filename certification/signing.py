"""The certifier's Ed25519 key: signs each verification document's SHA-256.

The private key comes from `TRUSTMARK_SIGNING_KEY` (PEM text) or
`TRUSTMARK_SIGNING_KEY_FILE` (a path); never from the repository. For the demo
and tests, with neither set, a key is generated once under `.data/`.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def generate_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_pem() -> bytes:
    if settings.TRUSTMARK_SIGNING_KEY:
        return settings.TRUSTMARK_SIGNING_KEY.encode()
    path = settings.TRUSTMARK_SIGNING_KEY_FILE
    if path and Path(path).exists():
        return Path(path).read_bytes()
    if not settings.TRUSTMARK_SIGNING_KEY_AUTOCREATE:
        raise ImproperlyConfigured(
            "No signing key: set TRUSTMARK_SIGNING_KEY_FILE to the private key made by "
            "`python manage.py generate_signing_key --out PATH`."
        )
    target = Path(path or settings.BASE_DIR / ".data" / "signing-key.pem")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_bytes(generate_private_key_pem())
        target.chmod(0o600)
    return target.read_bytes()


@lru_cache(maxsize=1)
def private_key() -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(_load_pem(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("The signing key must be an Ed25519 private key.")
    return key


def public_key_bytes(key: Ed25519PublicKey | None = None) -> bytes:
    key = key or private_key().public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(raw_public: bytes | None = None) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw_public or public_key_bytes()).hexdigest()[:16]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_digest(sha256_hex: str) -> str:
    """Sign the document's SHA-256, written as 64 lower-case hex digits (ASCII)."""
    return b64url(private_key().sign(sha256_hex.encode("ascii")))


def verify_digest(sha256_hex: str, signature: str, raw_public: bytes | None = None) -> bool:
    public = Ed25519PublicKey.from_public_bytes(raw_public or public_key_bytes())
    try:
        public.verify(b64url_decode(signature), sha256_hex.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True


def published_keys() -> dict[str, object]:
    """The JSON document at /.well-known/trustmark-keys.json."""
    raw = public_key_bytes()
    return {
        "issuer": settings.SITE_URL,
        "keys": [
            {
                "kid": key_id(raw),
                "alg": "Ed25519",
                "public_key": b64url(raw),
                "signs": "sha256 hex digest of the document, as ASCII",
            }
        ],
    }
