"""Reports on reviews: the author heard within 7 days, a decision, one contest decided by
another person; the same states and history for a shop review and a product review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from core.errors import Conflict, DomainError, NotPermitted
from reviews import moderation
from reviews.access import author_token
from reviews.models import Decision, Report, ReportState, Review, ReviewState
from reviews.moderation_selectors import review_history
from reviews.tasks import run_report_deadlines
from tests.reviews.helpers import product, product_review, review, reviews_on
from tests.reviews.moderation_helpers import make_cast, report, subjects_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    return make_cast(world)


def grade_count(shop) -> int:
    shop.rating.refresh_from_db()
    return shop.rating.count


def actions(review_obj) -> list[str]:
    """The recorded steps: the review's own, then its reports', each in the order written."""
    rows = [
        *Review.pgh_event_model.objects.filter(pgh_obj_id=review_obj.pk).order_by("pgh_id"),
        *Report.pgh_event_model.objects.filter(pgh_obj__review_id=review_obj.pk).order_by("pgh_id"),
    ]
    return [row.pgh_context.metadata["action"] for row in rows if row.pgh_context]


@pytest.fixture
def frozen():
    reverse("moderation:queue")  # load the URLs (and the API's schemas) before time stops
    with freeze_time(timezone.now().replace(microsecond=0), ignore=["_pytest"]) as clock:
        yield clock


def test_report_workflow_end_to_end_with_the_7_day_deadline(cast, frozen):
    one_star = review(cast.shop, service=1, comment="They never delivered and kept my money.")
    author = one_star.author_email
    assert grade_count(cast.shop) == 1

    filed = report(one_star, cast.employee)
    one_star.refresh_from_db()
    assert filed.state == ReportState.OPEN
    assert one_star.state == ReviewState.REPORTED
    assert one_star.is_visible
    assert grade_count(cast.shop) == 1
    assert any("was reported" in s for s in subjects_to(author))
    assert subjects_to(cast.moderator.email) == [
        f"Review report to check: {cast.shop.display_domain}"
    ]

    asked = moderation.ask_author(report=filed, actor=cast.moderator, question="Your order number?")
    assert asked.state == ReportState.AUTHOR_ASKED
    assert asked.author_due_at == timezone.now() + timedelta(days=7)
    assert any(s.startswith("Please answer") for s in subjects_to(author))

    frozen.tick(timedelta(days=6, hours=23))
    assert run_report_deadlines() == 0
    frozen.tick(timedelta(hours=1, seconds=1))
    assert run_report_deadlines() == 1
    assert run_report_deadlines() == 0  # a second run changes nothing
    filed.refresh_from_db()
    assert filed.state == ReportState.READY

    with pytest.raises(Conflict):
        moderation.author_respond(review=one_star, text="Too late?")

    moderation.decide(
        report=filed,
        actor=cast.moderator,
        decision=Decision.REMOVED,
        reason="No order found and the author did not answer.",
        removal_note="Removed: no purchase could be found.",
    )
    one_star.refresh_from_db()
    assert one_star.state == ReviewState.REMOVED
    assert one_star.removal_note == "Removed: no purchase could be found."
    assert one_star.removal_reason == "false_fact"
    assert grade_count(cast.shop) == 0
    assert any("Report about your review" in s for s in subjects_to(author))
    assert any("Report about a review" in s for s in subjects_to(cast.employee.email))

    moderation.contest(report=filed, party="author", text="I did buy there, here is why.")
    filed.refresh_from_db()
    assert filed.state == ReportState.CONTESTED
    with pytest.raises(NotPermitted):
        moderation.decide_finally(
            report=filed, actor=cast.moderator, decision=Decision.STAYS, reason="Same person."
        )
    moderation.decide_finally(
        report=filed,
        actor=cast.second_moderator,
        decision=Decision.STAYS,
        reason="The invoice is genuine.",
    )
    filed.refresh_from_db()
    one_star.refresh_from_db()
    assert filed.state == ReportState.FINAL
    assert filed.final_decided_by == cast.second_moderator
    assert one_star.state == ReviewState.PUBLISHED  # reinstated
    assert one_star.removal_note == ""
    assert grade_count(cast.shop) == 1
    assert actions(one_star) == [
        "review_submitted",  # inserted, then published
        "review_submitted",
        "review_reported",
        "report_decided",
        "report_finally_decided",
        "review_reported",  # the report's own steps
        "report_author_asked",
        "report_author_silent",
        "report_decided",
        "report_contested",
        "report_finally_decided",
    ]
    assert [step.what for step in review_history(one_star)][:2] == ["Submitted", "Reported"]


def test_the_authors_answer_makes_the_report_ready_for_a_decision(cast):
    written = review(cast.shop, service=2, comment="Slow.")
    filed = report(written, cast.owner, reason="not_a_customer")
    moderation.ask_author(report=filed, actor=cast.moderator, question="Order number?")
    answered = moderation.author_respond(review=written, text="Order 4711 on 3 March.")
    assert answered.state == ReportState.READY
    assert answered.author_response == "Order 4711 on 3 March."
    assert any("has answered" in m.body_text for m in _emails(cast.owner.email))
    with pytest.raises(Conflict):
        moderation.author_respond(review=written, text="Again.")


def _emails(address):
    from tests.reviews.moderation_helpers import emails_to

    return emails_to(address)


@pytest.mark.parametrize("reason", ["personal_data", "insulting"])
def test_personal_data_and_unlawful_content_are_hidden_at_once(cast, reason):
    written = review(cast.shop, service=1, comment="The owner, Jan at Hauptstr. 5, is a crook.")
    report(written, cast.employee, reason=reason)
    written.refresh_from_db()
    assert written.hidden
    assert not written.is_visible
    assert grade_count(cast.shop) == 0  # the profile drops it at once


@pytest.mark.parametrize("reason", ["false_fact", "not_a_customer", "advertising", "other"])
def test_other_reasons_leave_the_review_visible_while_checked(cast, reason):
    written = review(cast.shop, service=1, comment="Slow delivery.")
    report(written, cast.employee, reason=reason)
    written.refresh_from_db()
    assert not written.hidden
    assert written.is_visible
    assert grade_count(cast.shop) == 1


def test_a_kept_review_comes_back_when_it_was_hidden(cast):
    written = review(cast.shop, service=1, comment="Rude.")
    filed = report(written, cast.employee, reason="insulting")
    assert grade_count(cast.shop) == 0
    moderation.decide(
        report=filed, actor=cast.moderator, decision="stays", reason="An opinion, not an insult."
    )
    written.refresh_from_db()
    assert written.state == ReviewState.PUBLISHED
    assert written.is_visible
    assert grade_count(cast.shop) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "because"}, "reason"),
        ({"good_faith": False}, "good_faith"),
        ({"text": "   "}, "text"),
        ({"evidence": SimpleUploadedFile("x.exe", b"MZ\x90\x00binary")}, "evidence"),
    ],
)
def test_incomplete_reports_are_refused_and_nothing_changes(cast, changes, field):
    written = review(cast.shop, service=1)
    values = {"reason": "false_fact", "text": "No such order.", "good_faith": True, **changes}
    with pytest.raises(DomainError) as refused:
        moderation.report_review(review=written, reporter=cast.employee, **values)
    assert refused.value.field == field
    written.refresh_from_db()
    assert written.state == ReviewState.PUBLISHED
    assert not Report.objects.exists()


def test_only_people_with_the_reviews_right_on_the_shop_may_report(cast, world):
    reviews_on(world.other_shop)
    written = review(cast.shop, service=1)
    other = review(world.other_shop, service=1)  # bob has no right on the other shop
    for person, target in [
        (cast.outsider, written),
        (cast.employee, other),
        (cast.moderator, written),
    ]:
        with pytest.raises(NotPermitted):
            report(target, person)
    assert not Report.objects.exists()


def test_the_public_may_report_only_unlawful_content_and_gives_an_email(cast):
    written = review(cast.shop, service=1, comment="Call the owner on 0171 555 0101.")
    with pytest.raises(DomainError) as no_email:
        moderation.report_review(
            review=written, reporter=None, reason="personal_data", text="Phone.", good_faith=True
        )
    assert no_email.value.field == "email"
    with pytest.raises(DomainError) as wrong_reason:
        moderation.report_review(
            review=written,
            reporter=None,
            email="visitor@example.org",
            reason="not_a_customer",
            text="Fake.",
            good_faith=True,
        )
    assert wrong_reason.value.field == "reason"
    filed = moderation.report_review(
        review=written,
        reporter=None,
        email="Visitor@Example.org",
        reason="personal_data",
        text="A phone number.",
        good_faith=True,
    )
    assert (filed.reporter, filed.reporter_email) == ("public", "visitor@example.org")
    moderation.decide(
        report=filed,
        actor=cast.moderator,
        decision="partly_removed",
        reason="The phone number goes.",
        redacted_comment="Call the owner on [removed].",
    )
    written.refresh_from_db()
    assert written.state == ReviewState.PARTLY_REMOVED
    assert written.shown_comment == "Call the owner on [removed]."
    assert any("Report about a review" in s for s in subjects_to("visitor@example.org"))


def test_one_open_report_per_review_in_the_service_and_the_database(cast):
    written = review(cast.shop, service=1)
    first = report(written, cast.employee)
    with pytest.raises(Conflict):
        report(written, cast.owner)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO reviews_report (review_id, reporter, reporter_email, reason, text,"
            " evidence, good_faith, state, author_question, author_response, decision,"
            " decision_reason, contested_by, contest_text, final_decision, final_reason,"
            " created_at, updated_at) VALUES (%s, 'shop', '', 'other', 'x', '', true, 'ready',"
            " '', '', '', '', '', '', '', '', now(), now())",
            [first.review_id],
        )


def test_the_contest_is_decided_by_another_person_even_in_raw_sql(cast):
    written = review(cast.shop, service=1)
    filed = report(written, cast.employee)
    moderation.decide(report=filed, actor=cast.moderator, decision="removed", reason="Fake.",
                      removal_note="Removed: not a customer.")  # fmt: skip
    moderation.contest(report=filed, party="author", text="I am a customer.")
    with pytest.raises(NotPermitted):
        moderation.decide_finally(
            report=filed, actor=cast.moderator, decision="stays", reason="On second thought."
        )
    filed.refresh_from_db()
    assert filed.state == ReportState.CONTESTED
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reviews_report SET final_decided_by_id = decided_by_id, state = 'final'"
            " WHERE id = %s",
            [filed.pk],
        )


def test_only_the_side_that_lost_contests_once_within_14_days(cast, frozen):
    removed = review(cast.shop, service=1)
    filed = report(removed, cast.employee)
    moderation.decide(report=filed, actor=cast.moderator, decision="removed", reason="Fake.",
                      removal_note="Removed.")  # fmt: skip
    with pytest.raises(Conflict):  # the shop won
        moderation.contest(report=filed, party="shop", actor=cast.employee, text="More!")
    moderation.contest(report=filed, party="author", text="Unfair.")
    with pytest.raises(Conflict):
        moderation.contest(report=filed, party="author", text="Again.")

    kept = review(cast.shop, service=2)
    second = report(kept, cast.employee)
    moderation.decide(report=second, actor=cast.moderator, decision="stays", reason="Opinion.")
    with pytest.raises(Conflict):  # the author won
        moderation.contest(report=second, party="author", text="Fine by me.")
    with pytest.raises(NotPermitted):  # not the shop's person
        moderation.contest(report=second, party="shop", actor=cast.outsider, text="Remove it.")
    frozen.tick(timedelta(days=14, seconds=1))
    with pytest.raises(Conflict):
        moderation.contest(report=second, party="shop", actor=cast.employee, text="Too late.")
    second.refresh_from_db()
    assert second.state == ReportState.DECIDED


def test_a_final_removal_of_a_kept_review_goes_through_the_reported_state(cast):
    kept = review(cast.shop, service=1, comment="You sold me a fake.")
    filed = report(kept, cast.owner)
    moderation.decide(report=filed, actor=cast.moderator, decision="stays", reason="Opinion.")
    assert grade_count(cast.shop) == 1
    with pytest.raises(Conflict):  # no new report while the decision can still be contested
        report(kept, cast.owner, reason="other")
    moderation.contest(report=filed, party="shop", actor=cast.owner, text="Here is the invoice.")
    moderation.decide_finally(
        report=filed,
        actor=cast.second_moderator,
        decision="removed",
        reason="The product was genuine: a provably false fact.",
        removal_note="Removed: a false statement of fact.",
    )
    kept.refresh_from_db()
    assert kept.state == ReviewState.REMOVED
    assert grade_count(cast.shop) == 0
    states = list(
        Review.pgh_event_model.objects.filter(pgh_obj_id=kept.pk)
        .order_by("pgh_id")
        .values_list("state", flat=True)
    )
    assert states[-1] == "removed"
    assert "reported" in states[-2:] or states[-2] == "published"
    assert any("Report about your review" in s for s in subjects_to(kept.author_email))


def test_a_product_reviews_report_runs_the_same_states_and_history(cast):
    item = product(cast.shop, "MUG-1")
    about_shop = review(cast.shop, service=1, comment="Rude people.")
    about_item = product_review(cast.shop, item, stars=1, text="Broken. Call Jan: 0171 5550101.")
    item.rating.refresh_from_db()
    assert item.rating.count == 1

    runs = []
    for written in (about_shop, about_item):
        filed = report(written, cast.employee, reason="false_fact")
        moderation.ask_author(report=filed, actor=cast.moderator, question="Order?")
        moderation.author_respond(review=written, text="Order 12.")
        moderation.decide(
            report=filed,
            actor=cast.moderator,
            decision="partly_removed",
            reason="The phone number goes; the opinion stays.",
            redacted_comment="Part of this review was removed.",
        )
        moderation.contest(report=filed, party="author", text="Keep my words.")
        moderation.decide_finally(
            report=filed, actor=cast.second_moderator, decision="partly_removed", reason="Right."
        )
        filed.refresh_from_db()
        written.refresh_from_db()
        runs.append((filed.state, written.state, actions(written)))
    assert runs[0] == runs[1]
    assert runs[1][:2] == (ReportState.FINAL, ReviewState.PARTLY_REMOVED)
    item.rating.refresh_from_db()
    assert item.rating.count == 1  # a partly removed review still counts


def test_the_profile_is_never_stale_after_removal_and_reinstatement(cast):
    five = review(cast.shop, service=5)
    one = review(cast.shop, service=1)
    cast.shop.rating.refresh_from_db()
    assert str(cast.shop.rating.grade) == "3.00"
    filed = report(one, cast.employee)
    moderation.decide(report=filed, actor=cast.moderator, decision="removed", reason="Fake.",
                      removal_note="Removed.")  # fmt: skip
    cast.shop.rating.refresh_from_db()
    assert (str(cast.shop.rating.grade), cast.shop.rating.count) == ("5.00", 1)
    moderation.contest(report=filed, party="author", text="Real.")
    moderation.decide_finally(report=filed, actor=cast.second_moderator, decision="stays",
                              reason="Real.")  # fmt: skip
    cast.shop.rating.refresh_from_db()
    assert (str(cast.shop.rating.grade), cast.shop.rating.count) == ("3.00", 2)
    assert five.pk != one.pk


def test_the_author_reaches_answer_and_contest_through_their_own_link(cast, client):
    written = review(cast.shop, service=1, comment="Never arrived.")
    token = author_token(written.pk)
    filed = report(written, cast.employee)
    moderation.ask_author(report=filed, actor=cast.moderator, question="Order number?")
    page = client.get(f"/reviews/author/{token}/respond/")
    assert page.status_code == 200
    assert b"Order number?" in page.content
    sent = client.post(f"/reviews/author/{token}/respond/", {"text": "O-77, 2 May."})
    assert sent.status_code == 200
    filed.refresh_from_db()
    assert filed.state == ReportState.READY
    assert filed.author_response == "O-77, 2 May."
    moderation.decide(report=filed, actor=cast.moderator, decision="removed", reason="Fake.",
                      removal_note="Removed.")  # fmt: skip
    contested = client.post(f"/reviews/author/{token}/contest/", {"text": "I can prove it."})
    assert contested.status_code == 200
    filed.refresh_from_db()
    assert filed.state == ReportState.CONTESTED
    assert filed.contested_by == "author"
    assert client.get("/reviews/author/not-a-token/respond/").status_code == 404
