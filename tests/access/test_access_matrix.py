"""The access matrix: every URL of the resolver that takes an object id, and every API
operation with a path parameter, asked by each kind of person about member A's objects.

A person without the right gets a 404 (anonymous visitors on portal pages: the sign-in
redirect) and a POST changes nothing; a person with the right gets the page. A URL pattern
without a row in ROWS, EXEMPT or the admin family fails the test, so a new page cannot be
added without saying who may open it (docs/operations.md, "Access matrix").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from certification.models import Area
from config.celery import app as celery_app
from quality.definitions import DEFINITIONS
from tests.access.world import PEOPLE, STAFF, World, build_world
from tests.conftest import restore_reference_data

NONE = 999_999_999  # an id nothing has: the rows that have no such object in the world
FORGED = "forged-token.AAAA"
ANYONE = frozenset(PEOPLE)
TEAM_A = frozenset({"owner_a", "employee_a"})
OWNER_A = frozenset({"owner_a"})
NOBODY: frozenset[str] = frozenset()
# The team is the member's: the team right on any of its shops manages it.
TEAM_RIGHT = TEAM_A | {"employee_other_shop", "administrator"}


def staff(*roles: str) -> frozenset[str]:
    return frozenset(roles)


@dataclass(frozen=True)
class Row:
    """How to fill a URL's ids from the world, and who may open it."""

    kwargs: Callable[[World], dict[str, Any]]
    may: frozenset[str]
    area: str | None = None  # the right the employees of A hold or lack
    method: str = "get"  # "post" for the state-changing endpoints
    public: bool = False  # anonymous visitors are not sent to sign in
    sees: frozenset[str] = frozenset()  # may know the object, not act: any answer, no change
    watch: Callable[[World], Any] | None = None  # what a refused POST must leave as it was


def _o(name: str, attr: str = "pk") -> Callable[[World], Any]:
    return lambda w: getattr(w.objects[name], attr)


def row(may, area=None, method="get", public=False, sees=(), watch=None, **fill: Any) -> Row:
    """fill: kwarg name -> a value, or a function of the world."""

    def kwargs(world: World) -> dict[str, Any]:
        return {k: (v(world) if callable(v) else v) for k, v in fill.items()}

    assert area is None or area in Area.values, area
    return Row(kwargs, frozenset(may), area, method, public, frozenset(sees), watch)


def _state(name: str) -> Callable[[World], dict[str, Any]]:
    """The stored fields of one object of the world, read afresh."""

    def read(world: World) -> dict[str, Any]:
        obj = world.objects[name] if name != "shop" else world.shop
        return type(obj).objects.filter(pk=obj.pk).values().first() or {}

    return read


shop_id = lambda w: w.shop.public_id  # noqa: E731
member_id = lambda w: w.member.pk  # noqa: E731
case_no = _o("claim", "number")
mark_no = _o("mark", "number")
ADMIN = staff("administrator")
AUDIT_STAFF = staff("auditor", "administrator")
CASE_STAFF = staff("mediator", "administrator")
REVIEW_STAFF = staff("moderator", "administrator")
ALL_STAFF = frozenset(STAFF)
QUALITY_STAFF = staff("auditor", "moderator", "administrator")

# Who sees the shop page (any right on it, or staff) may be told "you need the right".
SHOP_SEERS = ALL_STAFF | {"employee_no_area"}


def _audit_count(world: World) -> int:
    return world.shop.audits.count()


def _key_count(world: World) -> int:
    return world.shop.api_keys.count()


ROWS: dict[str, Row] = {
    # audits
    "audits:workspace": row(AUDIT_STAFF, pk=_o("audit")),
    "audits:finding_update": row(NOBODY, method="post", pk=_o("audit"), finding_id=NONE),
    "audits:staff_action": row(AUDIT_STAFF, method="post", pk=_o("audit"), action="take"),
    "audits:merchant_audit": row(TEAM_A | AUDIT_STAFF, Area.AUDITS, pk=_o("audit")),
    "audits:resubmit": row(
        TEAM_A, Area.AUDITS, "post", sees=AUDIT_STAFF, watch=_state("audit"), pk=_o("audit")
    ),
    # Withdrawing is the merchant's decision: auditors see the audit, the POST changes nothing.
    "audits:withdraw": row(
        TEAM_A, Area.AUDITS, "post", sees=AUDIT_STAFF, watch=_state("audit"), pk=_o("audit")
    ),
    "audits:evidence": row(NOBODY, pk=_o("audit"), finding_id=NONE),
    "audits:apply": row(
        TEAM_A, Area.AUDITS, "post", sees=SHOP_SEERS, watch=_audit_count, public_id=shop_id
    ),
    # cases
    "disputes:recourse_reimbursed": row(NOBODY, method="post", pk=NONE),
    "disputes:case": row(TEAM_A | CASE_STAFF, Area.CASES, number=case_no),
    "disputes:attachment": row(NOBODY, number=case_no, pk=NONE),
    "disputes:action": row(NOBODY, method="post", number=case_no, action="no-such-action"),
    # inbox
    "inbox:detail": row(OWNER_A, pk=_o("message")),
    "inbox:read": row(OWNER_A, method="post", pk=_o("message")),
    # quality
    "quality_staff:review": row(NOBODY, pk=NONE),
    "quality:shop": row(TEAM_A | QUALITY_STAFF, public_id=shop_id),
    "quality:chart": row(TEAM_A | QUALITY_STAFF, public_id=shop_id, key=next(iter(DEFINITIONS))),
    # reviews, portal side
    "review_invites_portal:cancel": row(
        TEAM_A,  # the shop's decision: the moderator sees it, the POST changes nothing
        Area.REVIEWS,
        "post",
        sees=REVIEW_STAFF,
        watch=_state("review_invitation"),
        pk=_o("review_invitation"),
    ),
    "review_portal:settings": row(TEAM_A | ADMIN, Area.REVIEWS, public_id=shop_id),
    "review_portal:review": row(TEAM_A | REVIEW_STAFF, Area.REVIEWS, pk=_o("review")),
    "review_portal:reply": row(
        TEAM_A, Area.REVIEWS, "post", sees=REVIEW_STAFF, watch=_state("review"), pk=_o("review")
    ),
    "review_portal:message": row(
        TEAM_A, Area.REVIEWS, "post", sees=REVIEW_STAFF, watch=_state("review"), pk=_o("review")
    ),
    "moderation:held": row(NOBODY, pk=NONE),
    "moderation:held_action": row(NOBODY, method="post", pk=NONE, action="publish"),
    "moderation:report_detail": row(NOBODY, pk=NONE),
    "moderation:evidence": row(NOBODY, pk=NONE),
    "moderation:report_action": row(NOBODY, method="post", pk=NONE, action="uphold"),
    "moderation:report": row(TEAM_A, Area.REVIEWS, pk=_o("review")),
    "moderation:contest": row(NOBODY, pk=NONE),
    # integrations
    "portal:integrations:endpoint": row(TEAM_A | ADMIN, Area.INTEGRATIONS, pk=_o("endpoint")),
    "portal:integrations:edit": row(TEAM_A | ADMIN, Area.INTEGRATIONS, pk=_o("endpoint")),
    **{
        f"portal:integrations:{name}": row(
            TEAM_A | ADMIN, Area.INTEGRATIONS, "post", pk=_o("endpoint")
        )
        for name in ("enable", "disable", "rotate", "ping", "delete")
    },
    "portal:integrations:resend": row(NOBODY, method="post", pk=_o("endpoint"), delivery_id=NONE),
    # members, shops, marks
    "portal:shop_detail": row(TEAM_A | ALL_STAFF, public_id=shop_id),
    "portal:team": row(TEAM_RIGHT, Area.TEAM, member_id=member_id),
    "portal:team_person": row(
        TEAM_RIGHT, Area.TEAM, member_id=member_id, user_id=lambda w: w.people["employee_a"].pk
    ),
    "portal:team_remove": row(
        TEAM_RIGHT,
        Area.TEAM,
        "post",
        member_id=member_id,
        user_id=lambda w: w.people["employee_a"].pk,
    ),
    "portal:invitation_withdraw": row(
        TEAM_RIGHT,
        Area.TEAM,
        "post",
        member_id=member_id,
        invitation_id=_o("team_invitation"),
    ),
    "portal:checkout_secret_rotate": row(
        TEAM_A,
        Area.CASES,
        "post",
        sees=SHOP_SEERS,
        watch=lambda w: _state("shop")(w),
        public_id=shop_id,
    ),
    "portal:api_key_create": row(
        TEAM_A, Area.CASES, "post", sees=SHOP_SEERS, watch=_key_count, public_id=shop_id
    ),
    "portal:api_key_revoke": row(
        TEAM_A | ADMIN,  # an administrator may revoke a leaked key; a mediator may not
        Area.CASES,
        "post",
        sees=SHOP_SEERS,
        watch=_state("api_key"),
        public_id=shop_id,
        key_id=_o("api_key"),
    ),
    "portal:mark_detail": row(ALL_STAFF, number=mark_no),
    "portal:mark_action": row(
        AUDIT_STAFF,
        None,
        "post",
        sees=ALL_STAFF,
        watch=_state("mark"),
        number=mark_no,
        action="suspend",
    ),
    "portal:document_download": row(NOBODY, public_id=shop_id, version=NONE),
    # signed-token pages: a forged token is a 404 for everyone
    "review_checks:respond": row(NOBODY, public=True, token=FORGED),
    "review_checks:contest": row(NOBODY, public=True, token=FORGED),
    "review_invitations:later": row(NOBODY, public=True, token=FORGED),
    "review_invitations:unsubscribe": row(NOBODY, public=True, token=FORGED),
    "review_invitations:unsubscribe_all": row(NOBODY, public=True, token=FORGED),
    "review_buyer:mine": row(NOBODY, public=True, token=FORGED),
    "review_buyer:products": row(NOBODY, public=True, token=FORGED),
    "review_buyer:invitation": row(NOBODY, public=True, token=FORGED),
    "claims:new": row(NOBODY, public=True, token=FORGED),
    "claims:case": row(NOBODY, public=True, token=FORGED, number=case_no),
    "claims:attachment": row(NOBODY, public=True, token=FORGED, number=case_no, pk=NONE),
    "claims:action": row(
        NOBODY, method="post", public=True, token=FORGED, number=case_no, action="x"
    ),
    "guarantees:confirm": row(NOBODY, public=True, token=FORGED),
    "guarantees:page": row(NOBODY, public=True, token=FORGED),
    "privacy:link": row(NOBODY, public=True, token=FORGED),
    "privacy:link_download": row(NOBODY, public=True, token=FORGED),
    "portal:accept_invitation": row(NOBODY, public=True, token=FORGED),
    # public by design: a shop's or mark's public face
    "api_mark": row(ANYONE, public=True, number=mark_no),
    "api:get_mark": row(ANYONE, public=True, number=mark_no),
    "verify_mark": row(ANYONE, public=True, number=mark_no),
    "badge_svg": row(ANYONE, public=True, public_id=shop_id),
    "badge_json": row(ANYONE, public=True, public_id=shop_id),
    "reviews:profile": row(ANYONE, public=True, public_id=shop_id),
    "reviews:widget": row(ANYONE, public=True, public_id=shop_id),
    "reviews:widget_json": row(ANYONE, public=True, public_id=shop_id),
    "reviews:product": row(NOBODY, public=True, public_id=shop_id, sku="NO-SUCH-SKU"),
    "reviews:product_widget": row(NOBODY, public=True, public_id=shop_id, sku="NO-SUCH-SKU"),
    "reviews:product_widget_json": row(NOBODY, public=True, public_id=shop_id, sku="NO-SUCH-SKU"),
    "reviews:photo": row(NOBODY, public=True, photo_id=NONE),
    "review_checks:report": row(ANYONE, public=True, pk=_o("review")),
    "review_buyer:write": row(NOBODY, public=True, public_id=shop_id),
    "guarantees:register": row(ANYONE, public=True, public_id=shop_id),
}

# API operations (ninja) are checked against the OpenAPI document in test_api_operations.
API_ROUTES = "api:"
# Patterns without an object id in their path, named so a new one is a decision too.
EXEMPT = {
    "admin:(?P<url>.*)$",
    # Django's own view: a forged link renders its "invalid link" page, naming nobody.
    "accounts:password_reset_confirm",
    # `kind` is a file format; the export holds the asker's own shops only.
    "review_insights:export",
}


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{ns}:{entry.namespace}" if ns and entry.namespace else entry.namespace or ns
            yield from _walk(entry, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            name = f"{ns}:{entry.name}" if ns and entry.name else entry.name or ""
            yield name or f"{ns}:{entry.pattern}", prefix + str(entry.pattern)


def patterns_with_ids() -> dict[str, str]:
    """Every pattern of the resolver whose path takes a value: name -> route."""
    found = {}
    for name, route in _walk(get_resolver()):
        if "<" in route or "(?P" in route:
            found[name] = route
    return found


def _admin_change_names() -> set[str]:
    return {
        f"admin:{m._meta.app_label}_{m._meta.model_name}_{suffix}"
        for m in admin.site._registry
        for suffix in ("change", "delete", "history")
    }


def test_every_pattern_with_an_id_has_a_row():
    admin_family = _admin_change_names()
    unknown = sorted(
        f"{name} ({route})"
        for name, route in patterns_with_ids().items()
        if name not in ROWS
        and name not in EXEMPT
        and name not in admin_family
        and not name.startswith(API_ROUTES)
        and not route.startswith("admin/")
    )
    assert not unknown, "URL patterns without a row in the access matrix: " + ", ".join(unknown)
    stale = sorted(set(ROWS) - set(patterns_with_ids()))
    assert not stale, f"rows for patterns that no longer exist: {stale}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The data, built once in a transaction the module rolls back at its end; each test
    and each person's request nest in savepoints inside it."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            transaction.atomic(),
        ):
            restore_reference_data()
            yield build_world()
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


def _ask(client, world: World, person: str, url: str, method: str):
    client.logout()
    if person != "anonymous":
        client.force_login(world.people[person])
    return getattr(client, method)(url)


def _verdict(response, row: Row, person: str) -> str | None:
    """None when the answer is what the row expects for this person, else what went wrong."""
    code = response.status_code
    to_login = code == 302 and response["Location"].startswith(reverse("accounts:login"))
    if person in row.may:
        if (code in (200, 302) and not to_login) or (code == 400 and row.method == "post"):
            return None
        return f"{code} for a person with the right"
    if person in row.sees and code in (200, 302, 400, 403, 404):
        return None
    if person == "anonymous" and not row.public:
        return None if to_login else f"{code} instead of the sign-in page"
    forged = FORGED in response.request["PATH_INFO"]
    if code == 404 or (forged and code in (400, 403)):
        return None
    return f"{code} for a person without the right"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROWS))
def test_each_person_gets_what_the_row_says(name, world, client):
    row = ROWS[name]
    world.grant_for(row.area)
    url = reverse(name, kwargs=row.kwargs(world))
    wrong = {}
    for person in PEOPLE:
        before = row.watch(world) if row.watch else None
        with transaction.atomic():  # each person's POST is undone before the next asks
            response = _ask(client, world, person, url, row.method)
            problem = _verdict(response, row, person)
            if row.watch and person not in row.may and row.watch(world) != before:
                problem = f"{response.status_code} and the POST changed something"
            transaction.set_rollback(True)
        if problem:
            wrong[person] = problem
    assert not wrong, f"{name} {url}: {wrong}"


API_FILL: dict[str, Callable[[World], Any]] = {
    "public_id": shop_id,
    "sku": lambda w: "NO-SUCH-SKU",
    "endpoint_id": _o("endpoint"),
    "delivery_id": lambda w: NONE,
}
# Operations anyone may call, without a key: a shop's public face.
API_PUBLIC = {
    "/api/v1/marks/{number}",
    "/api/v1/shops/{public_id}/reviews",
    "/api/v1/shops/{public_id}/rating",
    "/api/v1/shops/{public_id}/products/{sku}/reviews",
    "/api/v1/shops/{public_id}/products/{sku}/rating",
    "/api/v1/shops/{public_id}/products",
    "/api/v1/shops/{public_id}/indicators",  # 404 while the shop has not published them
}
# The caller's own namespace: the key's shop upserts its product by sku; no one else's id.
API_OWN = {"/api/v1/products/{sku}"}


def _api_operations() -> list[tuple[str, str]]:
    from config.api import api

    paths = api.get_openapi_schema()["paths"]
    return [(p, m) for p, ops in paths.items() if "{" in p for m in ops]


@pytest.mark.django_db
def test_every_api_operation_with_an_id_is_404_to_another_shops_key_and_401_without(world, client):
    fill = {
        **API_FILL,
        "number": lambda w: w.objects["guarantee"].number,
    }
    wrong = {}
    for path, method in _api_operations():
        url = path
        for key in re.findall(r"{(\w+)}", path):
            value = (mark_no if "/marks/" in path and key == "number" else fill[key])(world)
            url = url.replace("{" + key + "}", str(value))
        other_key = {"HTTP_AUTHORIZATION": f"Bearer {world.objects['api_secret_b']}"}
        with transaction.atomic():
            call = getattr(client, method)
            body = {} if method in ("get", "delete") else {"data": "{}"}
            keyless = call(url, content_type="application/json", **body).status_code
            foreign = call(url, content_type="application/json", **body, **other_key).status_code
            transaction.set_rollback(True)
        if path in API_PUBLIC:  # the same answer with or without a key, naming nothing more
            ok = keyless == foreign and keyless in (200, 404)
        elif path in API_OWN:
            ok = keyless == 401
        else:
            ok = (keyless, foreign) == (401, 404)
        if not ok:
            wrong[f"{method.upper()} {path}"] = (keyless, foreign)
    assert not wrong, f"(no key, another shop's key) answers: {wrong}"
