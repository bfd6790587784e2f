"""Moderation: held reviews, shops that report mostly negative reviews, erasure after a year,
and the staff and shop pages (who sees what, query counts that do not grow)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, NotPermitted
from reviews import moderation, moderation_upkeep
from reviews.models import Report, ReportState, Review, ReviewSettings, ReviewState
from reviews.tasks import nightly
from tests.reviews.helpers import review
from tests.reviews.moderation_helpers import make_cast, report, subjects_to

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cast(world):
    return make_cast(world)


def held_review(shop, **kwargs):
    """A review whose author writes from the shop's own domain: the check holds it."""
    email = f"someone@{shop.domain}"
    return review(shop, service=4, invitation={"email": email}, **kwargs)


def test_a_held_review_shows_its_signal_and_a_moderator_publishes_it(cast, client):
    held = held_review(cast.shop, comment="Great shop.")
    assert held.state == ReviewState.HELD
    assert held.signals == ["shop_domain"]
    client.force_login(cast.moderator)
    queue = client.get(reverse("moderation:queue"))
    assert "The author&#x27;s email is at the shop&#x27;s own domain" in queue.content.decode()
    with pytest.raises(NotPermitted):
        moderation.publish_held(review=held, actor=cast.owner)
    done = client.post(reverse("moderation:held_action", args=[held.pk, "publish"]))
    assert done.status_code == 302
    held.refresh_from_db()
    assert held.state == ReviewState.PUBLISHED
    cast.shop.rating.refresh_from_db()
    assert cast.shop.rating.count == 1
    with pytest.raises(Conflict):
        moderation.publish_held(review=held, actor=cast.moderator)


def test_a_rejected_held_review_tells_the_author_why(cast):
    held = held_review(cast.shop, comment="Best shop ever, buy here!")
    moderation.reject_held(review=held, actor=cast.moderator, reason="Written by the shop's staff.")
    held.refresh_from_db()
    assert held.state == ReviewState.REJECTED
    assert held.rejection_reason == "Written by the shop's staff."
    assert any("was not published" in s for s in subjects_to(held.author_email))


def _decide_reports(cast, stars_list, decision="stays"):
    for stars in stars_list:
        written = review(cast.shop, service=stars)
        filed = report(written, cast.employee)
        moderation.decide(report=filed, actor=cast.moderator, decision=decision, reason="Opinion.")


def test_a_shop_reporting_mostly_negative_reviews_is_warned_then_noted_publicly(cast):
    _decide_reports(cast, [1, 2, 1, 1])
    settings = ReviewSettings.objects.get(shop=cast.shop)
    assert settings.negative_report_warnings == 0  # four reports are not enough
    _decide_reports(cast, [5])  # 4 of 5 negative: 80 %
    settings.refresh_from_db()
    assert settings.negative_report_warnings == 1
    assert settings.public_note_since is None
    assert any("Your reports on reviews" in s for s in subjects_to(cast.owner.email))
    _decide_reports(cast, [1, 1, 1, 1])  # after the warning: four again is not enough
    settings.refresh_from_db()
    assert settings.public_note_since is None
    _decide_reports(cast, [2])
    settings.refresh_from_db()
    assert settings.negative_report_warnings == 2
    assert settings.public_note_since is not None


def test_a_shop_reporting_positive_reviews_too_is_not_warned(cast):
    _decide_reports(cast, [1, 5, 4, 1, 5, 2])
    settings = ReviewSettings.objects.get(shop=cast.shop)
    assert settings.negative_report_warnings == 0


def test_removed_reviews_lose_their_words_after_the_keeping_period(cast, settings):
    settings.REVIEW_KEEP_REMOVED_DAYS = 365
    old = review(cast.shop, service=1, comment="Old words.", name="Olga Old")
    filed = report(
        old, cast.employee, evidence=SimpleUploadedFile("proof.pdf", PDF, "application/pdf")
    )
    assert filed.evidence
    stored = filed.evidence.name
    moderation.decide(
        report=filed, actor=cast.moderator, decision="removed", reason="Fake.", removal_note="Gone."
    )
    recent = review(cast.shop, service=1, comment="Recent words.")
    moderation.decide(
        report=report(recent, cast.employee),
        actor=cast.moderator,
        decision="removed",
        reason="Fake.",
        removal_note="Gone.",
    )
    Review.objects.filter(pk=old.pk).update(removed_at=timezone.now() - timedelta(days=366))
    assert nightly()["erased"] == 1
    assert nightly()["erased"] == 0  # done once
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.comment, old.author_email, old.author_name) == ("", "", "")
    assert old.erased_at is not None
    assert old.state == ReviewState.REMOVED  # the row and its state stay for the figures
    filed.refresh_from_db()
    assert (filed.text, filed.evidence.name) == ("", "")
    assert not filed.evidence.storage.exists(stored)
    assert recent.comment == "Recent words."


def test_withdrawn_and_rejected_reviews_are_erased_after_the_same_period(cast):
    from reviews.services import withdraw_review

    gone = withdraw_review(review=review(cast.shop, service=3, comment="Changed my mind."))
    held = held_review(cast.shop, comment="Hmm.")
    moderation.reject_held(review=held, actor=cast.moderator, reason="Staff.")
    long_ago = timezone.now() - timedelta(days=400)
    Review.objects.filter(pk=gone.pk).update(withdrawn_at=long_ago)
    Review.objects.filter(pk=held.pk).update(updated_at=long_ago)
    assert moderation_upkeep.erase_expired() == 2
    assert set(
        Review.objects.filter(erased_at__isnull=False).values_list("comment", flat=True)
    ) == {""}


# -- pages -------------------------------------------------------------------------------


def test_staff_pages_are_404_for_anyone_but_moderators(cast, client, mediator):
    written = review(cast.shop, service=1)
    filed = report(written, cast.employee)
    urls = [
        reverse("moderation:queue"),
        reverse("moderation:report_detail", args=[filed.pk]),
        reverse("moderation:held", args=[written.pk]),
    ]
    for person in (cast.owner, cast.employee, cast.outsider, mediator):
        client.force_login(person)
        assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(cast.moderator)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]


def test_the_moderator_decides_on_the_report_page(cast, client):
    written = review(cast.shop, service=1, comment="Fake shop!")
    filed = report(written, cast.employee)
    client.force_login(cast.moderator)
    page = client.get(reverse("moderation:report_detail", args=[filed.pk]))
    assert "Opinions stay" in page.content.decode()
    refused = client.post(
        reverse("moderation:report_action", args=[filed.pk, "decide"]),
        {"decision": "removed", "reason": "Fake.", "removal_note": ""},
    )
    assert refused.status_code == 422
    done = client.post(
        reverse("moderation:report_action", args=[filed.pk, "decide"]),
        {"decision": "removed", "reason": "Fake.", "removal_note": "Removed: no order."},
    )
    assert done.status_code == 302
    filed.refresh_from_db()
    assert filed.state == ReportState.DECIDED


def test_evidence_downloads_for_moderators_only(cast, client):
    written = review(cast.shop, service=1)
    filed = report(
        written, cast.employee, evidence=SimpleUploadedFile("p.pdf", PDF, "application/pdf")
    )
    url = reverse("moderation:evidence", args=[filed.pk])
    client.force_login(cast.employee)
    assert client.get(url).status_code == 404
    client.force_login(cast.moderator)
    got = client.get(url)
    assert got.status_code == 200
    assert got["Content-Type"] == "application/pdf"
    assert b"".join(got.streaming_content) == PDF


def test_the_shop_report_form_owner_employee_and_outsider(cast, client):
    written = review(cast.shop, service=1, comment="Rubbish.")
    url = reverse("moderation:report", args=[written.pk])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.owner)
    assert client.get(url).status_code == 200
    client.force_login(cast.employee)
    no_faith = client.post(url, {"reason": "false_fact", "text": "No such order."})
    assert no_faith.status_code == 422
    assert not Report.objects.exists()
    sent = client.post(url, {"reason": "false_fact", "text": "No such order.", "good_faith": "on"})
    assert sent.status_code == 302
    assert Report.objects.get().reported_by == cast.employee


def test_the_shop_contests_a_decision_that_the_review_stays(cast, client):
    written = review(cast.shop, service=1)
    filed = report(written, cast.owner)
    moderation.decide(report=filed, actor=cast.moderator, decision="stays", reason="Opinion.")
    url = reverse("moderation:contest", args=[filed.pk])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.employee)
    assert client.post(url, {"text": "It is a competitor."}).status_code == 302
    filed.refresh_from_db()
    assert filed.state == ReportState.CONTESTED
    assert filed.contested_by == "shop"


def test_the_queue_makes_the_same_queries_for_few_and_many_rows(
    cast, client, django_assert_max_num_queries
):
    def fill(n):
        for _ in range(n):
            report(review(cast.shop, service=1), cast.employee)
            held_review(cast.shop)
            # written days ago, so that the burst check does not hold the next ones
            Review.objects.update(submitted_at=timezone.now() - timedelta(days=2))

    client.force_login(cast.moderator)
    fill(2)
    counts = {}
    for tab in ("held", "open"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(reverse("moderation:queue"), {"tab": tab}).status_code == 200
        counts[tab] = len(few)
    fill(12)
    for tab in ("held", "open"):
        with django_assert_max_num_queries(counts[tab]):
            assert client.get(reverse("moderation:queue"), {"tab": tab}).status_code == 200
