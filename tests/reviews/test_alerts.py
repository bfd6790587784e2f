"""Review alerts: each person chooses, per shop, which star groups of a new review email them."""

import pytest
from django.urls import reverse

from certification.access import Right
from certification.models import Area
from certification.team import set_rights
from notifications.models import OutgoingMessage
from reviews.models import AlertPreference
from reviews.models.profiles import StarBucket
from tests.reviews.helpers import review, reviews_on


@pytest.fixture
def shop(world):
    world.shop.language = "en"  # its people's alerts are in English
    world.shop.save(update_fields=["language"])
    reviews_on(world.shop)
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, world.shop.pk), Right(Area.REVIEWS, world.shop.pk)},
    )
    return world.shop


def choose(client, person, shop, buckets):
    client.force_login(person)
    response = client.post(reverse("review_portal:alerts"), {f"shop_{shop.pk}": buckets})
    assert response.status_code == 302


def alerts_to(person):
    return OutgoingMessage.objects.filter(to_email=person.email, subject__contains="-star review")


def test_a_one_star_review_alerts_who_chose_1_2_and_not_who_chose_4_5(client, world, shop):
    choose(client, world.alice, shop, [StarBucket.NEGATIVE])
    choose(client, world.bob, shop, [StarBucket.POSITIVE])
    review(shop, service=1, comment="Never arrived.")
    assert alerts_to(world.alice).count() == 1
    assert "Never arrived." in alerts_to(world.alice).get().body_text
    assert alerts_to(world.bob).count() == 0


def test_a_five_star_review_alerts_who_chose_4_5(client, world, shop):
    choose(client, world.alice, shop, [StarBucket.NEGATIVE])
    choose(client, world.bob, shop, [StarBucket.POSITIVE, StarBucket.NEUTRAL])
    review(shop, service=5)
    review(shop, service=3)
    assert alerts_to(world.alice).count() == 0
    assert alerts_to(world.bob).count() == 2


def test_the_page_shows_only_shops_with_the_reviews_right_and_keeps_the_choice(client, world, shop):
    choose(client, world.bob, shop, [StarBucket.NEGATIVE, StarBucket.NEUTRAL])
    pref = AlertPreference.objects.get(user=world.bob, shop=shop)
    assert sorted(pref.buckets) == sorted([StarBucket.NEUTRAL, StarBucket.NEGATIVE])
    response = client.get(reverse("review_portal:alerts"))
    assert world.shop.display_domain in response.text
    assert world.other_shop.display_domain not in response.text  # no right there
    field = response.context["form"][f"shop_{shop.pk}"]
    assert sorted(field.value()) == sorted([StarBucket.NEGATIVE, StarBucket.NEUTRAL])


def test_clearing_every_box_stops_the_alerts(client, world, shop):
    choose(client, world.alice, shop, [StarBucket.NEGATIVE])
    choose(client, world.alice, shop, [])
    assert not AlertPreference.objects.filter(user=world.alice, shop=shop).exists()
    review(shop, service=1)
    assert alerts_to(world.alice).count() == 0


def test_a_shop_without_the_right_cannot_be_chosen(client, world, shop):
    client.force_login(world.bob)
    response = client.post(
        reverse("review_portal:alerts"), {f"shop_{world.other_shop.pk}": [StarBucket.NEGATIVE]}
    )
    assert response.status_code == 302
    assert not AlertPreference.objects.filter(user=world.bob).exists()
    client.force_login(world.charlie)
    client.post(reverse("review_portal:alerts"), {f"shop_{shop.pk}": [StarBucket.NEGATIVE]})
    assert not AlertPreference.objects.filter(user=world.charlie, shop=shop).exists()


def test_someone_without_any_reviews_right_is_refused_the_page(client, world):
    client.force_login(world.bob)  # only the cases right, no shop with reviews
    assert client.get(reverse("review_portal:alerts")).status_code == 403
