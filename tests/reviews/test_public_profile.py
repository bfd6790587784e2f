"""The public rating profile: figures, reviews with labels and replies, filters, placeholders."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from reviews.models import Decision, ReportReason
from reviews.moderation import contest, decide, decide_finally, report_review
from reviews.services import reply, withdraw_review
from tests.factories import staff_user
from tests.reviews.helpers import review, reviews_on
from tests.reviews.public_helpers import json_ld, many_shop_reviews


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


@pytest.fixture
def moderator(db):
    return staff_user(Role.MODERATOR, email="moderator@trustmark.example")


@pytest.fixture
def second_moderator(db):
    return staff_user(Role.MODERATOR, email="moderator2@trustmark.example")


def profile(client, shop, **query):
    return client.get(reverse("reviews:profile", args=[shop.public_id]), query)


def reported(shop_person, target, reason=ReportReason.FALSE_FACT):
    return report_review(
        review=target, reporter=shop_person, reason=reason, text="Not true.", good_faith=True
    )


def test_profile_shows_the_grade_with_two_decimals_in_words_with_count_and_criteria(client, shop):
    review(shop, service=5, delivery=4, product_rating=4, comment="Quick and friendly.")
    review(shop, service=5, delivery=5, product_rating=5)
    response = profile(client, shop)
    assert response.status_code == 200
    html = response.content.decode()
    assert "4.67" in html  # (5+4+4+5+5+5) / 6
    assert "Excellent" in html
    assert "2 reviews in the last 12 months" in html
    assert "4.50" in html  # delivery average
    assert "Quick and friendly." in html
    assert response["Cache-Control"] == "no-cache"  # never stale, never kept by a proxy


def test_unknown_or_closed_shop_has_no_profile(client, shop):
    assert client.get(reverse("reviews:profile", args=["nosuchshop123"])).status_code == 404
    shop.closed_at = timezone.now()
    shop.save(update_fields=["closed_at"])
    assert profile(client, shop).status_code == 404


def test_shop_without_reviews_says_it_does_not_collect_them(client, world):
    response = profile(client, world.other_shop)
    assert response.status_code == 200
    assert "does not collect customer reviews" in response.content.decode()


def test_each_review_shows_label_stars_per_criterion_language_dates_and_reply(client, shop, world):
    done = review(shop, service=4, delivery=2, comment="Lieferung zu langsam.", language="de")
    reply(review=done, actor=world.alice, text="Sorry, the parcel service was late.")
    html = profile(client, shop).content.decode()
    assert "Verified purchase" in html
    assert 'lang="de"' in html
    assert "Lieferung zu langsam." in html
    assert "Reply from" in html
    assert "Sorry, the parcel service was late." in html
    assert "Experience of" in html
    assert "published" in html
    assert 'aria-label="2 out of 5 stars"' in html  # delivery's own stars


def test_reviews_come_newest_first(client, shop):
    review(shop, comment="The older one.")
    review(shop, comment="The newer one.")
    html = profile(client, shop).content.decode()
    assert html.index("The newer one.") < html.index("The older one.")


def test_filters_by_stars_criterion_and_reply(client, shop, world):
    review(shop, service=5, delivery=1, comment="Great service, slow delivery.")
    answered = review(shop, service=2, comment="Rude on the phone.")
    reply(review=answered, actor=world.alice, text="We called you back.")
    assert "Rude on the phone." not in profile(client, shop, stars=5).content.decode()
    html = profile(client, shop, stars=1, criterion="delivery").content.decode()
    assert "slow delivery" in html
    assert "Rude on the phone." not in html
    html = profile(client, shop, reply="1").content.decode()
    assert "Rude on the phone." in html
    assert "slow delivery" not in html
    html = profile(client, shop, stars="nonsense", criterion="price").content.decode()
    assert "Rude on the phone." in html
    assert "slow delivery" in html


def test_reviews_are_paginated(client, shop):
    many_shop_reviews(shop, 45)
    first = profile(client, shop).content.decode()
    assert "Review number 0." in first
    assert "Review number 25." not in first
    assert "Page 1 of 3" in first
    third = profile(client, shop, page=3).content.decode()
    assert "Review number 44." in third
    assert "Review number 0." not in third


def test_labels_are_explained_on_the_profile(client, shop):
    review(shop)
    html = profile(client, shop).content.decode()
    for words in ("Verified purchase", "Invited", "Not verified", "What the labels mean"):
        assert words in html


def test_reported_review_stays_visible_unless_hidden(client, shop, world):
    kept = review(shop, comment="Slow delivery, says me.")
    hidden = review(shop, comment="The owner is called Max Mustermann.")
    reported(world.alice, kept)
    reported(world.alice, hidden, ReportReason.PERSONAL_DATA)
    html = profile(client, shop).content.decode()
    assert "Slow delivery, says me." in html
    assert "Being checked after a report" in html
    assert "Max Mustermann" not in html


def test_removed_review_leaves_a_placeholder_with_the_reason(client, shop, world, moderator):
    target = review(shop, comment="They are criminals and steal.")
    report = reported(world.alice, target, ReportReason.INSULTING)
    decide(
        report=report,
        actor=moderator,
        decision=Decision.REMOVED,
        reason="An insult, not an opinion.",
        removal_note="Removed: it insulted the shop's staff.",
    )
    html = profile(client, shop).content.decode()
    assert "They are criminals" not in html
    assert "This review was removed." in html
    assert "Insulting or unlawful" in html
    assert "Removed: it insulted the shop" in html


def test_partly_removed_review_shows_what_remains(client, shop, world, moderator):
    target = review(shop, comment="Slow. The driver Hans Meier was rude.")
    report = reported(world.alice, target, ReportReason.PERSONAL_DATA)
    decide(
        report=report,
        actor=moderator,
        decision=Decision.PARTLY_REMOVED,
        reason="A name.",
        redacted_comment="Slow. The driver […] was rude.",
    )
    html = profile(client, shop).content.decode()
    assert "Hans Meier" not in html
    assert "The driver […] was rude." in html
    assert "Part of this review was removed" in html


def test_public_note_when_the_shop_often_reports_negative_reviews(client, shop):
    assert "often reported negative reviews" not in profile(client, shop).content.decode()
    shop.review_settings.public_note_since = timezone.now()
    shop.review_settings.save(update_fields=["public_note_since"])
    assert "often reported negative reviews" in profile(client, shop).content.decode()


def test_profile_json_ld_has_an_aggregate_rating_and_review_items(client, shop):
    review(shop, service=5, delivery=4, comment="Good </script><b>bold</b>")
    review(shop, service=3)
    data = json_ld(profile(client, shop).content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Organization"
    assert data["aggregateRating"]["@type"] == "AggregateRating"
    assert data["aggregateRating"]["ratingValue"] == 4.0  # (5+4+3) / 3
    assert data["aggregateRating"]["reviewCount"] == 2
    assert [item["@type"] for item in data["review"]] == ["Review", "Review"]
    assert data["review"][1]["reviewBody"] == "Good </script><b>bold</b>"
    assert data["review"][0]["reviewRating"]["ratingValue"] == 3


def test_profile_never_stale_after_publish_withdrawal_removal_and_reinstatement(
    client, shop, world, moderator, second_moderator
):
    first = review(shop, service=5, comment="Five stars.")
    second = review(shop, service=1, comment="One star.")
    html = profile(client, shop).content.decode()
    assert "3.00" in html
    assert "2 reviews" in html

    withdraw_review(review=first)
    html = profile(client, shop).content.decode()
    assert "1.00" in html
    assert "1 review in" in html
    assert "Five stars." not in html

    report = reported(world.alice, second, ReportReason.INSULTING)
    assert "No rating yet" in profile(client, shop).content.decode()  # hidden at once
    decide(
        report=report,
        actor=moderator,
        decision=Decision.REMOVED,
        reason="Insult.",
        removal_note="Removed for an insult.",
    )
    html = profile(client, shop).content.decode()
    assert "No rating yet" in html
    assert "This review was removed." in html

    contest(report=report, party="author", text="It was my honest opinion.")
    decide_finally(
        report=report, actor=second_moderator, decision=Decision.STAYS, reason="An opinion."
    )
    html = profile(client, shop).content.decode()
    assert "1.00" in html
    assert "One star." in html
    assert "This review was removed." not in html


def test_profile_makes_the_same_number_of_queries_for_10_and_1000_reviews(
    client, shop, django_assert_max_num_queries, django_assert_num_queries
):
    many_shop_reviews(shop, 10, reply="Thanks!")
    with django_assert_max_num_queries(20) as small:
        assert profile(client, shop, reply="1").status_code == 200
    many_shop_reviews(shop, 990, reply="Thanks!")
    with django_assert_num_queries(len(small.captured_queries)):
        assert profile(client, shop, reply="1").status_code == 200
