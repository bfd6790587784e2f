"""htmx in the real browser, under our CSP: marking a message read swaps it without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from notifications.models import OutgoingMessage
from tests.e2e.helpers import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_marking_a_message_read_swaps_it_in_place(new_page, shot, live_server, world):
    message = OutgoingMessage.objects.create(
        template="audit_changed",
        to_email=world.alice.email,
        recipient=world.alice,
        subject="Your audit moved on",
        body_text="Hello,\nthe auditor sent findings.\n",
    )
    page = new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, world.alice.email, PASSWORD)
    page.goto(f"{live_server.url}/portal/inbox/")
    item = page.locator(f"#message-{message.pk}")
    expect(item.get_by_text("New", exact=True)).to_be_visible()
    page.evaluate("window.__notReloaded = true")
    item.locator("summary").click()
    item.get_by_role("button", name="Mark as read").click()
    expect(item.get_by_text("New", exact=True)).to_have_count(0)
    expect(item.get_by_role("button", name="Mark as read")).to_have_count(0)
    assert page.evaluate("window.__notReloaded === true"), "the page reloaded"
    shot(page, "inbox-read-in-place")
    message.refresh_from_db()
    assert message.read_at is not None
    assert not [e for e in errors if "Content Security Policy" in e], errors
