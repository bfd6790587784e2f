"""How we check reviews: the public disclosure with removals by reason, per shop and for all."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews import moderation
from reviews.moderation_selectors import removal_figures
from tests.reviews.helpers import review, reviews_on
from tests.reviews.moderation_helpers import make_cast, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world):
    return make_cast(world)


def decided(cast, shop, by, decision, reason="false_fact", **texts):
    written = review(shop, service=1, comment="Words.")
    filed = report(written, by, reason=reason)
    moderation.decide(
        report=filed, actor=cast.moderator, decision=decision, reason="Checked.", **texts
    )
    return written


def test_the_figures_count_removals_by_reason_for_one_shop_and_for_all(cast, world):
    reviews_on(world.charlie_shop)
    decided(cast, cast.shop, cast.employee, "removed", removal_note="Gone.")
    decided(cast, cast.shop, cast.employee, "removed", "not_a_customer", removal_note="Gone.")
    decided(cast, cast.shop, cast.employee, "stays")
    decided(cast, cast.shop, cast.employee, "partly_removed", "personal_data",
            redacted_comment="[removed]")  # fmt: skip
    decided(cast, world.charlie_shop, world.charlie, "removed", removal_note="Gone.")
    review(cast.shop, service=5)

    mine = removal_figures(cast.shop.pk)
    everyone = removal_figures()
    assert (mine["published"], mine["removed"], mine["partly_removed"], mine["kept"]) == (
        5,
        2,
        1,
        1,
    )
    assert mine["by_reason"]["false_fact"] == 1
    assert mine["by_reason"]["not_a_customer"] == 1
    assert mine["by_reason"]["personal_data"] == 1
    assert (everyone["removed"], everyone["by_reason"]["false_fact"]) == (3, 2)


def test_each_scope_is_one_aggregate_query(cast, django_assert_num_queries):
    decided(cast, cast.shop, cast.employee, "removed", removal_note="Gone.")
    with django_assert_num_queries(1):
        removal_figures(cast.shop.pk)
    with django_assert_num_queries(1):
        removal_figures()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "How we check reviews"), ("fr", '<html lang="fr"'), ("de", '<html lang="de"')],
)
def test_the_page_is_public_in_each_language(cast, client, language, heading):
    decided(cast, cast.shop, cast.employee, "removed", removal_note="Gone.")
    url = reverse("review_checks:how_we_check")
    page = client.get(url, {"shop": cast.shop.public_id}, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    assert heading in html
    assert cast.shop.display_domain in html
    assert client.get(url, {"shop": "no-such-shop"}).status_code == 404


def test_the_page_explains_labels_checks_and_the_contest(client):
    html = client.get(reverse("review_checks:how_we_check")).content.decode()
    for words in (
        "Verified purchase",
        "whatever its stars",
        "never remove a review by themselves",
        "7 days to respond",
        "contest it once",
        "not the one who decided first",
    ):
        assert words in html, words
