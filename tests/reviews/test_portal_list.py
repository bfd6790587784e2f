"""Portal review list and negative queue: only the shops one may work, filters, query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.roles import Role
from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from reviews.models import Label, Review, ReviewMode, ReviewState, Subject
from reviews.services import reply
from tests.factories import staff_user
from tests.reviews.helpers import product, product_review, review, reviews_on


@pytest.fixture
def shops(world):
    reviews_on(world.shop)
    reviews_on(world.other_shop)
    reviews_on(world.charlie_shop)
    return world


def grant_reviews(world, shop):
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, world.shop.pk), Right(Area.REVIEWS, shop.pk)},
    )


def listing(client, user, **params):
    client.force_login(user)
    return client.get(reverse("review_portal:list"), params)


def test_owner_sees_every_shop_of_the_member_and_no_other_members(client, shops):
    review(shops.shop, service=5, comment="Main shop review.")
    review(shops.other_shop, service=4, comment="Boutique review.")
    review(shops.charlie_shop, service=3, comment="Lumiere review.")
    text = listing(client, shops.alice).text
    assert "Main shop review." in text
    assert "Boutique review." in text
    assert "Lumiere review." not in text


def test_employee_sees_only_the_shop_he_holds_the_reviews_right_on(client, shops):
    review(shops.shop, service=5, comment="Main shop review.")
    review(shops.other_shop, service=4, comment="Boutique review.")
    assert listing(client, shops.bob).status_code == 403  # only the cases right so far
    grant_reviews(shops, shops.other_shop)
    text = listing(client, shops.bob).text
    assert "Boutique review." in text
    assert "Main shop review." not in text


def test_outsider_sees_only_his_own_shop(client, shops):
    review(shops.shop, service=5, comment="Main shop review.")
    review(shops.charlie_shop, service=3, comment="Lumiere review.")
    text = listing(client, shops.charlie).text
    assert "Lumiere review." in text
    assert "Main shop review." not in text


def test_review_moderator_sees_every_shop(client, shops):
    review(shops.shop, service=5, comment="Main shop review.")
    review(shops.charlie_shop, service=3, comment="Lumiere review.")
    text = listing(client, staff_user(Role.MODERATOR)).text
    assert "Main shop review." in text
    assert "Lumiere review." in text


def test_filters_by_shop_subject_stars_answer_and_label(client, shops):
    low = review(shops.shop, service=1, comment="Bad service.")
    review(shops.shop, service=5, comment="Great service.")
    review(shops.other_shop, service=1, comment="Boutique low.")
    item = product(shops.shop, "MUG-1", name="Blue mug")
    product_review(shops.shop, item, stars=4, text="Nice mug.")
    reply(review=low, actor=shops.alice, text="We are sorry.")

    def shown(**params):
        text = listing(client, shops.alice, **params).text
        comments = ("Bad service.", "Great service.", "Boutique low.", "Nice mug.")
        return {c for c in comments if c in text}

    assert shown(shop=shops.other_shop.pk) == {"Boutique low."}
    assert shown(subject=Subject.PRODUCT) == {"Nice mug."}
    assert shown(stars=1) == {"Bad service.", "Boutique low."}
    assert shown(replied="yes") == {"Bad service."}
    assert shown(replied="no", stars=1) == {"Boutique low."}
    assert shown(label=Label.NOT_VERIFIED) == set()
    assert shown(state=ReviewState.PUBLISHED) == {
        "Bad service.",
        "Great service.",
        "Boutique low.",
        "Nice mug.",
    }
    # a shop of another member in the filter shows nothing of it
    assert shown(shop=shops.charlie_shop.pk) == {
        "Bad service.",
        "Great service.",
        "Boutique low.",
        "Nice mug.",
    }


def test_newest_first_and_links_to_the_review(client, shops):
    older = review(shops.shop, service=4, comment="Older one.")
    Review.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    newer = review(shops.shop, service=4, comment="Newer one.")
    text = listing(client, shops.alice).text
    assert text.index("Newer one.") < text.index("Older one.")
    assert reverse("review_portal:review", args=[newer.pk]) in text


def many_reviews(shop, count):
    """Published reviews of `shop`, written directly (the list reads, it does not submit)."""
    now = timezone.now()
    Review.objects.bulk_create(
        Review(
            subject=Subject.SHOP,
            shop=shop,
            label=Label.NOT_VERIFIED,
            mode=ReviewMode.THREE_CRITERIA,
            stars=1 + n % 5,
            service=1 + n % 5,
            comment=f"Bulk review {n}",
            experienced_on=now.date(),
            editable_until=now.date(),
            state=ReviewState.PUBLISHED,
            published_at=now - timedelta(hours=n),
            submitted_at=now - timedelta(hours=n),
            author_name="Ann B.",
        )
        for n in range(count)
    )


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["review_portal:list", "review_portal:negatives"])
def test_the_list_costs_the_same_queries_for_10_and_200_reviews(client, shops, name):
    client.force_login(shops.alice)
    url = reverse(name)
    many_reviews(shops.shop, 10)
    few = queries_for(client, url)
    many_reviews(shops.other_shop, 190)
    assert queries_for(client, url) == few


def test_negative_queue_shows_unanswered_low_reviews_with_the_48_hour_target(client, shops):
    start = timezone.now().replace(microsecond=0)
    with freeze_time(start):
        first = review(shops.shop, service=1, comment="First complaint.")
    with freeze_time(start + timedelta(hours=10)):
        second = review(shops.shop, service=2, comment="Second complaint.")
        review(shops.shop, service=3, comment="Middling.")
        answered = review(shops.shop, service=1, comment="Answered complaint.")
        reply(review=answered, actor=shops.alice, text="Sorry.")
    review(shops.charlie_shop, service=1, comment="Other member complaint.")
    client.force_login(shops.alice)
    with freeze_time(start + timedelta(hours=47)):
        text = client.get(reverse("review_portal:negatives")).text
    assert text.index("First complaint.") < text.index("Second complaint.")  # oldest first
    assert "Middling." not in text
    assert "Answered complaint." not in text
    assert "Other member complaint." not in text
    assert "Overdue" not in text
    with freeze_time(start + timedelta(hours=49)):
        response = client.get(reverse("review_portal:negatives"))
        rows = response.context["rows"]
    assert [r.pk for r in rows] == [first.pk, second.pk]
    assert rows[0].answer_due == first.published_at + timedelta(hours=48)
    assert rows[0].overdue is True
    assert rows[1].overdue is False  # published 10 hours later: due at hour 58
    assert response.text.count("Overdue") == 1


def test_negative_queue_empties_once_answered(client, shops):
    low = review(shops.shop, service=1, comment="Complaint.")
    client.force_login(shops.alice)
    assert "Complaint." in client.get(reverse("review_portal:negatives")).text
    client.post(reverse("review_portal:reply", args=[low.pk]), {"text": "We are on it."})
    assert "Complaint." not in client.get(reverse("review_portal:negatives")).text
