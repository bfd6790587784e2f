"""What the browser journeys share: signing in, the links emailed so far, a small PNG."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail


def sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    """Sign in through the login page, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    if page.get_by_label("Code").count():  # staff: the second step, as the authenticator app
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tests.factories import current_totp

        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        page.get_by_label("Code").fill(current_totp(device))
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Code").wait_for(state="detached")


def emailed_links(to: str) -> list[str]:
    """Every link in the emails sent to this address so far, oldest first."""
    links = []
    for message in mail.outbox:
        if to in message.to:
            links += re.findall(r"https?://\S+", message.body)
    return links


def record_findings(audit: Any, auditor: Any, *, skip: tuple[str, ...] = ()) -> None:
    """The auditor's verdicts through the service layer: every criterion met, except the
    codes in `skip`, left open for the browser to record (a catalogue has ~70 criteria)."""
    from audits import services
    from audits.models import FindingResult

    for finding in audit.findings.select_related("criterion"):
        if finding.criterion.code not in skip:
            services.record_finding(
                finding=finding, actor=auditor, result=FindingResult.MET, note="checked"
            )
