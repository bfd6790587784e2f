"""The dashboard per role: each person sees their own blocks, with links to the work,
and the page makes the same number of queries however many rows lie behind it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits import services as audit_services
from certification.marks import issue_mark, suspend_mark
from certification.models import BadgeMisuse, MembershipPlan
from disputes import services as dispute_services
from disputes.access import buyer_of
from guarantees.services import register_guarantee
from tests.audits.conftest import decide_all
from tests.factories import ShopFactory, staff_user
from tests.guarantees.helpers import purchase

pytestmark = pytest.mark.django_db

DASHBOARD = "/portal/"


def _page(client, person) -> str:
    client.force_login(person)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(DASHBOARD).status_code == 200
    return len(ctx.captured_queries)


def _claim(shop, n: int):
    """A guarantee on the shop and a claim on it, waiting for the shop's answer."""
    guarantee = register_guarantee(
        shop=shop,
        purchase=purchase(order_reference=f"O-{shop.pk}-{n}", buyer_email=f"b{n}@example.org"),
        channel="api",
    )
    return dispute_services.file_claim(
        actor=buyer_of(guarantee),
        guarantee=guarantee,
        reason="other",
        amount="20",
        description="The parcel never came.",
    )


@pytest.fixture
def plus_shop(world, active_mark):
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    world.shop.save(update_fields=["plan"])
    return world.shop


def test_the_owner_sees_mark_audit_claims_and_guarantee_totals(
    client, world, plus_shop, auditor, django_capture_on_commit_callbacks
):
    claim = _claim(plus_shop, 1)
    audit = audit_services.request_audit(shop=world.other_shop, actor=world.alice)
    audit = audit_services.assign_audit(audit=audit, actor=auditor, auditor=auditor)
    audit = audit_services.start_review(audit=audit, actor=auditor)
    decide_all(audit, auditor, unmet=("ORDER-03",))
    with django_capture_on_commit_callbacks(execute=True):
        audit_services.send_findings(audit=audit, actor=auditor)
    page = _page(client, world.alice)
    mark = plus_shop.marks.get()
    assert mark.number in page
    assert "Valid" in page
    assert "1 finding to fix" in page
    assert reverse("audits:merchant_audit", args=[audit.pk]) in page
    assert "Verification document, version 1" in page
    assert "Claims waiting for your answer" in page
    assert reverse("disputes:case", args=[claim.number]) in page
    assert reverse("guarantee_portal:list") in page
    assert "149.90" in page  # the guarantee's order amount, in the totals
    for staff_block in ('id="audit-queue"', 'id="case-queue"', 'id="admin-blocks"'):
        assert staff_block not in page


def test_an_employee_sees_claims_only_where_they_hold_the_cases_right(client, world, plus_shop):
    claim = _claim(plus_shop, 1)
    page = _page(client, world.bob)
    assert claim.number in page
    assert world.other_shop.domain not in page  # bob has no right there
    assert plus_shop.marks.get().number not in page  # no documents right on the shop


def test_an_employee_without_the_cases_right_sees_no_claims_nor_guarantee_totals(
    client, world, plus_shop
):
    from certification.access import Right
    from certification.models import Area
    from certification.team import set_rights

    claim = _claim(plus_shop, 1)
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.DOCUMENTS, world.shop.pk), Right(Area.AUDITS, world.shop.pk)},
    )
    page = _page(client, world.bob)
    assert plus_shop.marks.get().number in page
    assert claim.number not in page
    assert 'id="claims-waiting"' not in page
    assert 'id="guarantee-totals"' not in page
    assert "149.90" not in page


def test_an_outsider_sees_nothing_of_another_member(client, world, plus_shop):
    claim = _claim(plus_shop, 1)
    page = _page(client, world.charlie)
    assert claim.number not in page
    assert plus_shop.marks.get().number not in page
    assert world.charlie_shop.domain in page
    assert "No claim is waiting for your answer" in page
    assert "No guarantee is registered yet" in page


def test_the_owners_dashboard_queries_do_not_grow_with_shops_audits_claims_guarantees(
    client, world, plus_shop
):
    _claim(plus_shop, 0)
    audit_services.request_audit(shop=world.other_shop, actor=world.alice)
    client.force_login(world.alice)
    few = _queries(client)
    for n in range(1, 6):
        _claim(plus_shop, n)
        register_guarantee(
            shop=plus_shop,
            purchase=purchase(order_reference=f"X-{n}", amount="50"),
            channel="api",
        )
        shop = ShopFactory(member=world.member)
        issue_mark(shop=shop, actor=None)
        audit_services.request_audit(shop=shop, actor=world.alice)
    assert _queries(client) == few


def test_the_employees_dashboard_queries_do_not_grow_with_claims(client, world, plus_shop):
    _claim(plus_shop, 0)
    client.force_login(world.bob)
    few = _queries(client)
    for n in range(1, 15):
        _claim(plus_shop, n)
    assert _queries(client) == few


def test_the_auditor_sees_the_queue_counts_with_filtered_links(client, world, auditor):
    mine = audit_services.request_audit(shop=world.shop, actor=world.alice)
    audit_services.assign_audit(audit=mine, actor=auditor, auditor=auditor)
    audit_services.request_audit(shop=world.charlie_shop, actor=world.charlie)
    page = _page(client, auditor)
    assert 'id="audit-queue"' in page
    assert reverse("audits:queue") + "?mine=1" in page
    assert reverse("audits:queue") + "?overdue=1" in page
    assert reverse("audits:queue") + "?due=today" in page
    assert 'id="case-queue"' not in page
    assert 'id="admin-blocks"' not in page
    response = client.get(reverse("audits:queue") + "?mine=1")
    assert len(response.context["page"].object_list) == 1


def test_the_auditors_dashboard_queries_do_not_grow_with_audits(client, world, auditor):
    audit_services.request_audit(shop=world.shop, actor=world.alice)
    client.force_login(auditor)
    few = _queries(client)
    for _ in range(10):
        shop = ShopFactory(member=world.member)
        audit = audit_services.request_audit(shop=shop, actor=world.alice)
        audit_services.assign_audit(audit=audit, actor=auditor, auditor=auditor)
    assert _queries(client) == few


def test_the_mediator_sees_case_counts_and_each_links_to_the_filtered_queue(
    client, world, plus_shop, mediator
):
    claim = _claim(plus_shop, 1)
    _claim(plus_shop, 2)
    page = _page(client, mediator)
    assert 'id="case-queue"' in page
    for query in ("state=in_mediation", "mine=1", "overdue=1", "due=today", "flagged=1"):
        assert reverse("disputes:queue") + "?" + query in page
    assert 'id="audit-queue"' not in page
    assert 'id="admin-blocks"' not in page
    assert 'id="claims-waiting"' not in page
    counts = client.get(reverse("portal:dashboard")).context["cases"]
    assert counts["open"] == 2
    assert counts["due_today"] == 0
    type(claim).objects.filter(pk=claim.pk).update(
        shop_due_at=timezone.localtime().replace(hour=23, minute=0),
        overdue_flagged_at=timezone.now(),
    )
    counts = client.get(reverse("portal:dashboard")).context["cases"]
    assert counts["due_today"] == 1
    assert counts["flagged"] == 1
    assert counts["overdue"] == 1
    queue = client.get(reverse("disputes:queue") + "?flagged=1")
    assert [c.number for c in queue.context["page"].object_list] == [claim.number]
    queue = client.get(reverse("disputes:queue") + "?due=today")
    assert [c.number for c in queue.context["page"].object_list] == [claim.number]


def test_the_mediators_dashboard_queries_do_not_grow_with_claims(
    client, world, plus_shop, mediator
):
    _claim(plus_shop, 0)
    client.force_login(mediator)
    few = _queries(client)
    for n in range(1, 12):
        _claim(plus_shop, n)
    assert _queries(client) == few


def test_the_administrator_sees_expiring_suspended_misuse_and_recourse(
    client, world, admin_user, active_mark
):
    soon = issue_mark(
        shop=world.other_shop,
        actor=admin_user,
        valid_from=timezone.localdate() - timedelta(days=350),
    )
    suspended = issue_mark(shop=world.charlie_shop, actor=admin_user)
    suspend_mark(mark=suspended, actor=admin_user, reason="unpaid_fees")
    BadgeMisuse.objects.create(shop=world.shop, host="copycat.example", count=42)
    page = _page(client, admin_user)
    assert 'id="admin-blocks"' in page
    assert soon.number in page or world.other_shop.display_domain in page
    assert reverse("portal:mark_list") + "?expiring=1&amp;days=30" in page
    assert reverse("portal:mark_list") + "?state=suspended" in page
    assert reverse("portal:mark_list") + "?misuse=1" in page
    assert reverse("disputes:recourse") in page
    assert "copycat.example" in page
    figures = client.get(DASHBOARD).context["admin"]["figures"]
    assert figures == {"expiring": 1, "suspended": 1, "misuse_marks": 1}
    listed = client.get(reverse("portal:mark_list") + "?expiring=1&days=30")
    assert [m.number for m in listed.context["page"].object_list] == [soon.number]


def test_other_staff_do_not_see_the_administrators_blocks(client, world, mediator):
    auditor_and_mediator = staff_user("auditor", email="both@trustmark.example")
    for person in (mediator, auditor_and_mediator):
        assert 'id="admin-blocks"' not in _page(client, person)


def test_the_administrators_dashboard_queries_do_not_grow_with_marks(client, world, admin_user):
    client.force_login(admin_user)
    few = _queries(client)
    for n in range(8):
        shop = ShopFactory()
        mark = issue_mark(
            shop=shop, actor=admin_user, valid_from=timezone.localdate() - timedelta(days=350)
        )
        if n % 2:
            suspend_mark(mark=mark, actor=admin_user, reason="other", note="test")
        BadgeMisuse.objects.create(shop=shop, host=f"foreign{n}.example", count=n + 1)
    assert _queries(client) == few


def test_a_merchant_with_nothing_to_do_is_told_what_comes_next(client, world):
    page = _page(client, world.alice)
    assert "No audit in progress." in page
    assert reverse("audits:apply", args=[world.shop.public_id]) in page
    assert "No trust mark yet" in page
