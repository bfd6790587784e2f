"""Create the certifier's Ed25519 key pair; the private key goes to a file, never the repo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand, CommandError

from certification.signing import b64url, generate_private_key_pem, key_id


class Command(BaseCommand):
    help = "Generate the Ed25519 key that signs verification documents."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="where to write the private key (PEM)")
        parser.add_argument("--force", action="store_true", help="overwrite an existing file")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["out"])
        if target.exists() and not options["force"]:
            raise CommandError(f"{target} exists; pass --force to replace the key.")
        pem = generate_private_key_pem()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pem)
        target.chmod(0o600)
        private = serialization.load_pem_private_key(pem, password=None)
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.stdout.write(f"Private key written to {target} (mode 600).")
        self.stdout.write(f"Set TRUSTMARK_SIGNING_KEY_FILE={target.resolve()}")
        self.stdout.write(f"Public key {b64url(raw)} (kid {key_id(raw)})")
