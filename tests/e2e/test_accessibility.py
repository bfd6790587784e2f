"""Pages pass an automated accessibility check of labels, headings, contrast, alt text and names.

Our own check (tests/e2e/a11y_check.js) runs in Chromium on each rendered page: every field
has a label, one <h1> and no skipped heading level, WCAG AA text contrast, <img alt>,
<html lang>, and links and buttons with a name. The pages are the main ones of each role,
on real data built through the services.

Only reading happens here, so the data, the browser and each person's signed-in context are
built once for the module (a transactional test per page would flush the database twenty
times); the module ends with the same flush a transactional test does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.urls import reverse

from accounts.roles import Role
from audits.services import assign_audit, request_audit, start_review
from certification.access import Right
from certification.marks import issue_mark
from certification.models import Area, MembershipPlan, Shop, TeamRole
from certification.team import set_rights
from config.celery import app as celery_app
from disputes import services
from disputes.access import CaseActor, buyer_of
from disputes.models import Party
from guarantees.checkout import checkout_url
from guarantees.links import page_token
from guarantees.models import Guarantee
from guarantees.services import register_guarantee
from tests.conftest import restore_reference_data
from tests.e2e.conftest import CHROMIUM, TIMEOUT_MS, _chromium_or_stop
from tests.e2e.helpers import sign_in
from tests.factories import PASSWORD, MemberFactory, ShopFactory, UserFactory, join, staff_user
from tests.guarantees.helpers import purchase

pytestmark = [pytest.mark.e2e]

CHECK = (Path(__file__).parent / "a11y_check.js").read_text()


@dataclass
class Scene:
    """A certified shop with guarantees, a claim in mediation and an audit under review."""

    shop: Shop
    member_id: int
    people: dict[str, Any]
    mark_number: str
    guarantee: Guarantee  # has a claim in mediation
    free_guarantee: Guarantee  # no claim yet: the claim form opens
    claim_number: str
    audit_id: int


def _build_scene() -> Scene:
    restore_reference_data()
    if not Group.objects.filter(name=Role.ADMINISTRATOR).exists():
        call_command("migrate", verbosity=0)  # post_migrate puts the role groups back
    member = MemberFactory(legal_name="Nordlicht Handels GmbH")
    plus = MembershipPlan.objects.get(code="plus")
    shop = ShopFactory(member=member, domain="nordlicht.example", plan=plus)
    other_shop = ShopFactory(member=member, domain="nordlicht-boutique.example")
    alice = UserFactory(email="alice@nordlicht.example", full_name="Alice Owner")
    bob = UserFactory(email="bob@nordlicht.example", full_name="Bob Employee")
    join(member, alice, TeamRole.OWNER)
    join(member, bob)
    set_rights(actor=alice, member=member, person=bob, rights={Right(Area.CASES, shop.pk)})
    admin = staff_user(Role.ADMINISTRATOR, email="admin@trustmark.example")
    auditor = staff_user(Role.AUDITOR, email="auditor@trustmark.example")
    mediator = staff_user(Role.MEDIATOR, email="mediator@trustmark.example")
    mark = issue_mark(shop=shop, actor=admin)

    guarantee = register_guarantee(
        shop=shop,
        purchase=purchase(order_reference="ORD-A11Y-1", amount="240.00", plan="plus"),
        channel="api",
    )
    free = register_guarantee(
        shop=shop,
        purchase=purchase(order_reference="ORD-A11Y-2", amount="80.00"),
        channel="api",
    )
    buyer = buyer_of(guarantee)
    claim = services.file_claim(
        actor=buyer,
        guarantee=guarantee,
        reason="not_delivered",
        amount="240.00",
        description="Nothing arrived in three weeks.",
    )
    shop_side = CaseActor(user=bob, party=Party.SHOP)
    services.answer_claim(actor=shop_side, claim=claim, answer="disputed", text="Sent on the 3rd.")
    claim = services.reject_answer(actor=buyer, claim=claim, reason="The locker was empty.")

    audit = request_audit(shop=other_shop, actor=alice)
    assign_audit(audit=audit, actor=auditor, auditor=auditor)
    start_review(audit=audit, actor=auditor)
    people = {"owner": alice, "auditor": auditor, "mediator": mediator, "admin": admin}
    return Scene(shop, member.pk, people, mark.number, guarantee, free, claim.number, audit.pk)


@pytest.fixture(autouse=True)
def _live_server_helper(live_server) -> Iterator[None]:
    """pytest-django's helper of the same name, without its transactional_db: that one would
    flush the module's data after the first page. The flush comes at the module's end."""
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


@pytest.fixture(scope="module")
def scene(live_server, django_db_setup, django_db_blocker) -> Iterator[Scene]:
    """The data, committed, for the live server; the database stays open for the module."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(SITE_URL=live_server.url),
        ):
            try:
                yield _build_scene()
            finally:
                connections.close_all()
                call_command("flush", interactive=False, verbosity=0)
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture(scope="module")
def signed_in(scene, live_server) -> Iterator[Callable[[str | None], Any]]:
    """A page for a person (None: an anonymous visitor), signed in once per module."""
    _chromium_or_stop()
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pages: dict[str | None, Any] = {}
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)

            def page_for(who: str | None) -> Any:
                if who not in pages:
                    context = chromium.new_context(
                        viewport={"width": 1280, "height": 900},
                        locale="en-GB",
                        timezone_id="Europe/Berlin",
                    )
                    context.set_default_timeout(TIMEOUT_MS)
                    page = context.new_page()
                    if who is not None:
                        sign_in(page, live_server.url, scene.people[who].email, PASSWORD)
                    pages[who] = page
                return pages[who]

            try:
                yield page_for
            finally:
                chromium.close()
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _checkout(s: Scene) -> str:
    return checkout_url(
        shop=s.shop,
        order="ORD-A11Y-3",
        amount="149.90",
        currency="EUR",
        email="ines@example.org",
        purchase_date=date.today(),
    )


# (id, who signs in (None: nobody), the page's address on the scene)
PAGES: list[tuple[str, str | None, Callable[[Scene], str]]] = [
    ("verify", None, lambda s: reverse("verify_mark", args=[s.mark_number])),
    ("checkout", None, _checkout),
    ("buyer-guarantee", None, lambda s: reverse("guarantees:page", args=[_token(s)])),
    ("buyer-claim-form", None, lambda s: reverse("claims:new", args=[_free_token(s)])),
    ("buyer-case", None, lambda s: reverse("claims:case", args=[_token(s), s.claim_number])),
    ("login", None, lambda s: reverse("accounts:login")),
    ("dashboard-owner", "owner", lambda s: reverse("portal:dashboard")),
    ("dashboard-auditor", "auditor", lambda s: reverse("portal:dashboard")),
    ("dashboard-mediator", "mediator", lambda s: reverse("portal:dashboard")),
    ("dashboard-admin", "admin", lambda s: reverse("portal:dashboard")),
    ("shop", "owner", lambda s: reverse("portal:shop_detail", args=[s.shop.public_id])),
    ("team", "owner", lambda s: reverse("portal:team", args=[s.member_id])),
    ("guarantees", "owner", lambda s: reverse("guarantee_portal:list")),
    ("claims", "owner", lambda s: reverse("disputes:list")),
    ("mediation-queue", "mediator", lambda s: reverse("disputes:queue")),
    ("case-staff", "mediator", lambda s: reverse("disputes:case", args=[s.claim_number])),
    ("audit-queue", "auditor", lambda s: reverse("audits:queue")),
    ("audit-workspace", "auditor", lambda s: reverse("audits:workspace", args=[s.audit_id])),
    ("marks", "admin", lambda s: reverse("portal:mark_list")),
    ("inbox", "owner", lambda s: reverse("inbox:list")),
    ("search", "admin", lambda s: reverse("portal:search") + "?q=nordlicht"),
]

# Pages that fail today, with what fails: fixing them is template and CSS work.
KNOWN: dict[str, str] = {}


def _token(s: Scene) -> str:
    return page_token(s.guarantee.number)


def _free_token(s: Scene) -> str:
    return page_token(s.free_guarantee.number)


def _cases() -> list:
    cases = []
    for name, who, url in PAGES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[name])] if name in KNOWN else []
        cases.append(pytest.param(who, url, id=name, marks=marks))
    return cases


@pytest.mark.parametrize(("who", "url"), _cases())
def test_page_passes_the_accessibility_check(signed_in, live_server, scene, who, url):
    page = signed_in(who)
    address = url(scene)  # the checkout link is absolute already
    response = page.goto(address if "://" in address else live_server.url + address)
    assert response is not None
    status = response.status
    assert status == 200, f"{page.url} answered {status}: {page.inner_text('main')}"
    violations = page.evaluate(CHECK)
    assert not violations, f"{page.url}:\n" + "\n".join(violations)


BAD_PAGE = """<!doctype html><html><body>
<h1>One</h1><h1>Two</h1><h4>Skipped</h4>
<form><input name="q"><label>Name <input name="ok"></label>
<select aria-label="Plan"><option>x</option></select><textarea id="t"></textarea>
<input type="hidden" name="csrf"><button></button></form>
<p style="color:#aaa;background:#fff">pale grey text</p>
<div style="background:#000"><span style="color:#333">dark on black</span></div>
<p style="color:#767676">just enough</p>
<img src="x.png"><a href="/x"></a><a href="/y" aria-label="Named"></a>
</body></html>"""


def test_the_check_reports_what_it_looks_for(signed_in):
    page = signed_in(None).context.browser.new_page()  # not the site's origin: no CSP
    page.set_content(BAD_PAGE)
    found = page.evaluate(CHECK)
    page.close()
    rules = sorted(v.split(":")[0] for v in found)
    assert rules == [
        "contrast",
        "contrast",
        "h1",
        "heading",
        "img-alt",
        "label",
        "label",
        "lang",
        "name",
        "name",
    ], "\n".join(found)
    assert any('input[name="q"]' in v for v in found)
    assert any("textarea#t" in v for v in found)
    assert any("pale grey text" in v and "2.32:1" in v for v in found)
