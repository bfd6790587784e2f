"""Production settings, loaded in a fresh process with the production variables, as CI does."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "test-production-headers-a-long-random-secret-key-for-the-check-0123456789",
    "ALLOWED_HOSTS": "trustmark.example",
    "CSRF_TRUSTED_ORIGINS": "https://trustmark.example",
}
PRINT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ("
    "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
    "'CSRF_COOKIE_SAMESITE', 'SECURE_REFERRER_POLICY', 'SECURE_SSL_REDIRECT', "
    "'X_FRAME_OPTIONS', 'DEBUG')}))"
)


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"TRUSTMARK_TESTING", "DEBUG"}}
    return {**env, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings"}


def test_production_settings_turn_on_hsts_secure_cookies_samesite_and_referrer_policy():
    result = subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=Path(settings.BASE_DIR),
        env=_production_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert values["CSRF_COOKIE_SAMESITE"] in {"Lax", "Strict"}
    assert values["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_check_deploy_passes_with_the_production_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
