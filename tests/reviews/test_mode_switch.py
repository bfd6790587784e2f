"""Switching criteria: owner only; reviews archived (not deleted), profile reset, recorded."""

import pytest
from django.urls import reverse

from certification.access import Right
from certification.models import Area
from certification.models.members import Sells
from certification.team import set_rights
from core.errors import NotPermitted
from reviews.models import Review, ReviewMode, ReviewSettings, ShopRating, Subject
from reviews.services import Order, submit_shop_review
from reviews.shop_services import switch_mode, update_settings
from tests.factories import ShopFactory
from tests.reviews.helpers import invitation, product, product_review, review, reviews_on


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


@pytest.fixture
def reviewer(world, shop):
    set_rights(
        actor=world.alice,
        member=world.member,
        person=world.bob,
        rights={Right(Area.CASES, shop.pk), Right(Area.REVIEWS, shop.pk)},
    )
    return world.bob


def test_switch_archives_the_shop_reviews_and_resets_the_profile(world, shop):
    kept = [review(shop, service=5, delivery=4, product_rating=4) for _ in range(3)]
    item = product(shop, "MUG-1")
    on_product = product_review(shop, item, stars=2)
    assert ShopRating.objects.get(shop=shop).count == 3

    switch_mode(shop=shop, actor=world.alice, mode=ReviewMode.ONE_CRITERION)

    settings = ReviewSettings.objects.get(shop=shop)
    assert settings.mode == ReviewMode.ONE_CRITERION
    assert settings.mode_changed_at is not None
    assert Review.objects.filter(pk__in=[r.pk for r in kept]).count() == 3  # not deleted
    assert all(
        r.archived_at == settings.mode_changed_at
        for r in Review.objects.filter(pk__in=[r.pk for r in kept])
    )
    on_product.refresh_from_db()
    assert on_product.archived_at is None  # product reviews keep counting
    rating = ShopRating.objects.get(shop=shop)
    assert rating.count == 0
    assert rating.grade is None


def test_switch_is_recorded_in_the_history_with_the_owner(world, shop):
    done = review(shop, service=4)
    switch_mode(shop=shop, actor=world.alice, mode=ReviewMode.ONE_CRITERION)
    settings = ReviewSettings.objects.get(shop=shop)
    event = settings.events.select_related("pgh_context").order_by("-pgh_id").first()
    assert event.mode == ReviewMode.ONE_CRITERION
    assert event.pgh_context.metadata["action"] == "criteria_switched"
    assert event.pgh_context.metadata["user_email"] == world.alice.email
    archived = Review.pgh_event_model.objects.filter(pgh_obj_id=done.pk).order_by("-pgh_id")[0]
    assert archived.archived_at is not None
    assert archived.pgh_context.metadata["action"] == "criteria_switched"


def test_after_the_switch_a_new_order_is_reviewed_on_the_new_criteria(world, shop):
    inv = invitation(shop)
    review(shop, service=5, invitation={})
    switch_mode(shop=shop, actor=world.alice, mode=ReviewMode.ONE_CRITERION)
    fresh = submit_shop_review(order=Order.of_invitation(inv), ratings={"service": 2})
    assert fresh.mode == ReviewMode.ONE_CRITERION
    rating = ShopRating.objects.get(shop=shop)
    assert rating.count == 1
    assert rating.grade == 2


def test_only_the_owner_may_switch(world, shop, reviewer):
    review(shop, service=5)
    with pytest.raises(NotPermitted):
        switch_mode(shop=shop, actor=reviewer, mode=ReviewMode.ONE_CRITERION)
    with pytest.raises(NotPermitted):
        switch_mode(shop=shop, actor=world.charlie, mode=ReviewMode.ONE_CRITERION)
    assert ReviewSettings.objects.get(shop=shop).mode == ReviewMode.THREE_CRITERIA
    assert not Review.objects.filter(shop=shop, archived_at__isnull=False).exists()


def test_the_settings_page_offers_the_switch_to_the_owner_only(client, world, shop, reviewer):
    url = reverse("review_portal:settings", args=[shop.public_id])
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert "owner may change the criteria" in response.text
    response = client.post(url, {"action": "mode", "mode": "one", "confirm": "on"})
    assert response.status_code == 400
    assert ReviewSettings.objects.get(shop=shop).mode == ReviewMode.THREE_CRITERIA

    client.force_login(world.alice)
    response = client.get(url)
    assert "archived, not deleted" in response.text
    response = client.post(url, {"action": "mode", "mode": "one"})  # no confirmation
    assert response.status_code == 400
    assert ReviewSettings.objects.get(shop=shop).mode == ReviewMode.THREE_CRITERIA
    response = client.post(url, {"action": "mode", "mode": "one", "confirm": "on"})
    assert response.status_code == 302
    assert ReviewSettings.objects.get(shop=shop).mode == ReviewMode.ONE_CRITERION


def test_switching_to_the_same_criteria_is_refused_on_the_form(client, world, shop):
    review(shop, service=5)
    client.force_login(world.alice)
    url = reverse("review_portal:settings", args=[shop.public_id])
    response = client.post(url, {"action": "mode", "mode": "three", "confirm": "on"})
    assert response.status_code == 400
    assert "already uses these criteria" in response.text
    assert not Review.objects.filter(shop=shop, archived_at__isnull=False).exists()


def test_a_shop_selling_services_starts_with_one_criterion(world):
    services_shop = ShopFactory(member=world.member, domain="repairs.example", sells=Sells.SERVICES)
    update_settings(shop=services_shop, actor=world.alice, enabled=True)
    assert ReviewSettings.objects.get(shop=services_shop).mode == ReviewMode.ONE_CRITERION
    goods_shop = ShopFactory(member=world.member, domain="goods.example", sells=Sells.GOODS)
    update_settings(shop=goods_shop, actor=world.alice, enabled=True)
    assert ReviewSettings.objects.get(shop=goods_shop).mode == ReviewMode.THREE_CRITERIA


def test_archived_reviews_stay_readable_in_the_portal(client, world, shop):
    done = review(shop, service=5, comment="Before the switch.")
    switch_mode(shop=shop, actor=world.alice, mode=ReviewMode.ONE_CRITERION)
    client.force_login(world.alice)
    text = client.get(reverse("review_portal:review", args=[done.pk])).text
    assert "Before the switch." in text
    assert "Archived: the shop changed its criteria" in text
    assert Review.objects.filter(pk=done.pk, subject=Subject.SHOP).exists()
