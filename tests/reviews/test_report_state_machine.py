"""Random people doing random things to reviews and their reports never break the promises.

The shop's people report, moderators ask, decide and decide contests, the author answers,
contests and withdraws, the clock moves past the author's deadline; outsiders and the wrong
moderator try too. After every step: a review is visible exactly when it is counted in its
rating, at most one report per review is open, a final decision is never the first decider's,
and a refused action changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.utils import timezone
from freezegun import freeze_time
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from core.errors import DomainError
from reviews import checks, moderation
from reviews.models import OPEN_REPORT_STATES, Report, Review
from reviews.ratings import product_figures, shop_figures, visible
from reviews.services import withdraw_review
from tests.reviews.helpers import product, product_review, review
from tests.reviews.moderation_helpers import Cast, make_cast

pytestmark = pytest.mark.django_db

REASONS = ["false_fact", "personal_data", "insulting", "not_a_customer", "other"]
DECISIONS = ["stays", "removed", "partly_removed"]
REPORTERS = ["owner", "employee", "employee", "outsider", "public"]
MODERATORS = ["moderator", "second_moderator"]


class ReportWorkflow(RuleBasedStateMachine):
    cast: ClassVar[Cast]
    clock: ClassVar[Any]
    start: ClassVar[Any]

    @initialize(kind=st.sampled_from(["shop", "product"]), stars=st.integers(1, 5))
    def write(self, kind, stars):
        # Each run starts at the same moment: the reviews of earlier runs never leave the
        # 12-month window behind this run's back (that is the nightly refresh's job).
        self.clock.move_to(self.start)
        if kind == "shop":
            self.review = review(self.cast.shop, service=stars, comment="It was slow, Jan Muster.")
        else:
            self.review = product_review(
                self.cast.shop, product(self.cast.shop, "SM-1"), stars=stars, text="Broke at once."
            )

    def fresh(self) -> Review:
        return Review.objects.get(pk=self.review.pk)

    def report_row(self) -> Report | None:
        return Report.objects.filter(review_id=self.review.pk).order_by("-pk").first()

    def snapshot(self) -> tuple:
        return (
            tuple(Review.objects.filter(pk=self.review.pk).values_list("state", "hidden").get()),
            tuple(
                Report.objects.filter(review_id=self.review.pk)
                .order_by("pk")
                .values_list("state", "decision", "final_decision", "author_due_at")
            ),
            Review.pgh_event_model.objects.filter(pgh_obj_id=self.review.pk).count(),
        )

    def attempt(self, call) -> bool:
        before = self.snapshot()
        try:
            call()
        except DomainError:
            assert self.snapshot() == before, "a refused action changed something"
            return False
        return True

    def person(self, name):
        return getattr(self.cast, name) if name != "public" else None

    @rule(who=st.sampled_from(REPORTERS), reason=st.sampled_from(REASONS))
    def file(self, who, reason):
        done = self.attempt(
            lambda: moderation.report_review(
                review=self.fresh(),
                reporter=self.person(who),
                email="visitor@example.org",
                reason=reason,
                text="This is wrong.",
                good_faith=True,
            )
        )
        assert not (done and who == "outsider"), "an outsider reported"

    @rule(who=st.sampled_from(MODERATORS))
    def ask(self, who):
        row = self.report_row()
        if row is not None:
            self.attempt(
                lambda: moderation.ask_author(
                    report=row, actor=getattr(self.cast, who), question="Order?"
                )
            )

    @rule()
    def answer(self):
        self.attempt(lambda: moderation.author_respond(review=self.fresh(), text="Order 5."))

    @rule()
    def time_passes(self):
        self.clock.tick(timedelta(days=8))
        moderation.run_report_deadlines()

    @rule(who=st.sampled_from(MODERATORS), decision=st.sampled_from(DECISIONS))
    def decide(self, who, decision):
        row = self.report_row()
        if row is not None:
            self.attempt(
                lambda: moderation.decide(
                    report=row,
                    actor=getattr(self.cast, who),
                    decision=decision,
                    reason="Checked.",
                    removal_note="Removed after a report.",
                    redacted_comment="It was slow.",
                )
            )

    @rule(party=st.sampled_from(["author", "shop", "outsider"]))
    def contest(self, party):
        row = self.report_row()
        if row is None:
            return
        actor = {"shop": self.cast.employee, "outsider": self.cast.outsider}.get(party)
        done = self.attempt(
            lambda: moderation.contest(
                report=row,
                party="shop" if party == "outsider" else party,
                actor=actor,
                text="Wrong.",
            )
        )
        assert not (done and party == "outsider"), "an outsider contested"

    @rule(who=st.sampled_from(MODERATORS), decision=st.sampled_from(DECISIONS))
    def decide_finally(self, who, decision):
        row = self.report_row()
        if row is not None:
            self.attempt(
                lambda: moderation.decide_finally(
                    report=row,
                    actor=getattr(self.cast, who),
                    decision=decision,
                    reason="Final.",
                    removal_note="Removed after a contest.",
                    redacted_comment="It was slow!",
                )
            )

    @rule()
    def withdraw(self):
        self.attempt(lambda: withdraw_review(review=self.fresh()))

    @invariant()
    def promises_hold(self):
        if not hasattr(self, "review"):
            return
        current = self.fresh()
        shown = visible(Review.objects.filter(pk=current.pk)).exists()
        assert shown == current.is_visible
        if current.subject == "shop":
            counted = self.cast.shop.rating.__class__.objects.get(shop=self.cast.shop).count
            assert counted == shop_figures(self.cast.shop.pk)["count"]
        else:
            item = current.product
            item.rating.refresh_from_db()
            assert item.rating.count == product_figures(item.pk)["count"]
        assert Report.objects.filter(review=current, state__in=OPEN_REPORT_STATES).count() <= 1
        for row in Report.objects.filter(review=current, final_decided_by__isnull=False):
            assert row.final_decided_by_id != row.decided_by_id
        if current.state == "reported":
            assert Report.objects.filter(review=current, state__in=OPEN_REPORT_STATES).exists()


def test_report_workflow_state_machine(world, monkeypatch):
    # The runs share one shop: their reviews must not add up to a "burst" that holds the next.
    monkeypatch.setattr(checks, "BURST_FLOOR", 100_000)
    ReportWorkflow.cast = make_cast(world)
    from django.urls import reverse

    reverse("moderation:queue")  # load the URLs before time stops
    with freeze_time(timezone.now().replace(microsecond=0), ignore=["_pytest"]) as clock:
        ReportWorkflow.clock = clock
        ReportWorkflow.start = timezone.now()
        from hypothesis.stateful import run_state_machine_as_test

        run_state_machine_as_test(
            ReportWorkflow,
            settings=settings(
                max_examples=25,
                stateful_step_count=15,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            ),
        )
