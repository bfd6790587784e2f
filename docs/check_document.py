#!/usr/bin/env python3
"""Check a Trustmark verification document offline.

    python check_document.py document.pdf SIGNATURE keys.json

SIGNATURE is shown on the document's verification page (open the QR code);
keys.json is https://<trustmark site>/.well-known/trustmark-keys.json, saved
once. Needs only the `cryptography` package. Exit code 0: genuine.
"""

import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check(pdf: bytes, signature: str, keys: dict) -> bool:
    digest = hashlib.sha256(pdf).hexdigest().encode("ascii")
    for key in keys["keys"]:
        public = Ed25519PublicKey.from_public_bytes(b64url_decode(key["public_key"]))
        try:
            public.verify(b64url_decode(signature), digest)
        except (InvalidSignature, ValueError):
            continue
        return True
    return False


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    with open(sys.argv[1], "rb") as pdf_file, open(sys.argv[3]) as keys_file:
        genuine = check(pdf_file.read(), sys.argv[2], json.load(keys_file))
    print("genuine: signed by Trustmark" if genuine else "NOT genuine: changed or not ours")
    return 0 if genuine else 1


if __name__ == "__main__":
    sys.exit(main())
