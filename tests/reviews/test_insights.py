"""Review insights: the invitation funnel, themes per month, phrases and the benchmark."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certification.models import Shop
from reviews import insights, themes
from reviews.models import ShopRating
from tests.factories import ShopFactory
from tests.reviews.helpers import invitation, product, product_review, review, reviews_on

TODAY = date(2026, 11, 25)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture(autouse=True)
def _fresh_taxonomy():
    themes.forget()


@pytest.fixture
def shop(world):
    reviews_on(world.shop)
    return world.shop


def invited(shop, created: date, *, steps=(), cancelled=False):
    """An invitation scheduled on `created` that went through the given funnel steps."""
    changes = {"created_at": at(created), "send_at": at(created + timedelta(days=7))}
    for n, step in enumerate(steps, start=1):
        changes[f"{step}_at"] = at(created + timedelta(days=7 + n))
    inv = invitation(shop, **changes)
    if cancelled:
        inv.cancel()
        inv.save()
    return inv


# -- funnel --------------------------------------------------------------------------------


def test_funnel_counts_match_the_invitation_events_of_each_month(shop, world):
    october, november = date(2026, 10, 3), date(2026, 11, 2)
    for _ in range(4):
        invited(shop, october, steps=("sent", "delivered"))
    invited(shop, october, steps=("sent", "delivered", "clicked"))
    invited(shop, october, steps=("sent", "delivered", "clicked", "reviewed"))
    invited(shop, october, steps=("sent", "delivered", "unsubscribed"))
    invited(shop, october, cancelled=True)
    invited(shop, november, steps=("sent", "delivered", "clicked", "reviewed"))
    invited(shop, november)  # still scheduled
    invited(world.charlie_shop, october, steps=("sent",))  # another member's shop

    months = insights.funnel(Shop.objects.filter(pk=shop.pk), months=3, today=TODAY)

    assert [m.month for m in months] == [
        date(2026, 9, 1),
        october.replace(day=1),
        date(2026, 11, 1),
    ]
    september, oct_figures, nov_figures = months
    assert september.counts == dict.fromkeys(insights.STEPS, 0)
    assert oct_figures.counts == {
        "scheduled": 8,
        "sent": 7,
        "delivered": 7,
        "clicked": 2,
        "reviewed": 1,
        "unsubscribed": 1,
    }
    assert oct_figures.rates["sent"] == Decimal("87.5")
    assert oct_figures.rates["clicked"] == Decimal("28.6")
    assert oct_figures.rates["reviewed"] == Decimal("50.0")
    assert oct_figures.rates["review_rate"] == Decimal("14.3")
    assert nov_figures.counts["scheduled"] == 2
    assert nov_figures.counts["reviewed"] == 1
    assert nov_figures.rates["sent"] == Decimal("50.0")
    assert nov_figures.trends["sent"] == Decimal("-37.5")
    assert september.rates["sent"] is None
    assert oct_figures.trends["sent"] is None  # nothing to compare with


def test_a_review_through_an_invitation_shows_as_reviewed_in_the_funnel(shop):
    review(shop, comment="Fine.")
    months = insights.funnel(Shop.objects.filter(pk=shop.pk), months=2)
    assert sum(m.counts["reviewed"] for m in months) == 1


def test_a_step_never_exceeds_the_one_before_when_an_earlier_event_was_not_recorded(shop):
    invited(shop, TODAY, steps=("reviewed",))  # reached the form without a recorded click
    invited(shop, TODAY, steps=("sent", "clicked"))  # no delivery report
    (month,) = insights.funnel(Shop.objects.filter(pk=shop.pk), months=1, today=TODAY)
    assert month.counts == {
        "scheduled": 2,
        "sent": 2,
        "delivered": 2,
        "clicked": 2,
        "reviewed": 1,
        "unsubscribed": 0,
    }
    assert month.rates["reviewed"] == Decimal("50.0")


def test_the_funnel_of_an_outsider_holds_nothing_of_the_shop(shop, world):
    invited(shop, TODAY, steps=("sent",))
    outsider = insights.funnel(insights.insight_shops(world.charlie), months=1, today=TODAY)
    owner = insights.funnel(insights.insight_shops(world.alice), months=1, today=TODAY)
    assert outsider[0].counts["scheduled"] == 0
    assert owner[0].counts["scheduled"] == 1


# -- themes --------------------------------------------------------------------------------


def test_theme_figures_count_reviews_per_month_with_their_average_stars(shop, world):
    review(shop, service=1, comment="The delivery was late and the price high.")
    review(shop, service=4, comment="Quick delivery.")
    review(shop, service=5, comment="Lovely colours.")
    product_review(shop, product(shop), stars=2, text="Broke after a week.")
    reviews_on(world.charlie_shop)
    review(world.charlie_shop, service=5, comment="Delivered fast.")  # not alice's shop

    starts, rows, totals = insights.theme_months(
        Shop.objects.filter(pk=shop.pk), language="en", months=2
    )

    by_code = {row.code: row for row in rows}
    assert totals[-1] == 4
    assert by_code["delivery_time"].cells[-1].count == 2
    assert by_code["delivery_time"].cells[-1].stars == Decimal("2.50")
    assert by_code["price"].cells[-1].count == 1
    assert by_code["product_quality"].cells[-1].count == 1
    assert by_code["product_quality"].stars == Decimal("2.00")
    assert by_code["packaging"].total == 0
    assert by_code["delivery_time"].name == "Delivery time"
    assert starts[-1] == timezone.localdate().replace(day=1)


def test_theme_names_follow_the_persons_language(shop):
    _starts, rows, _totals = insights.theme_months(
        Shop.objects.filter(pk=shop.pk), language="de", months=1
    )
    assert {row.code: row.name for row in rows}["delivery_time"] == "Lieferzeit"


def test_withdrawn_reviews_leave_the_theme_figures(shop):
    from reviews.services import withdraw_review

    gone = review(shop, comment="Slow delivery.")
    withdraw_review(review=gone)
    _starts, rows, totals = insights.theme_months(
        Shop.objects.filter(pk=shop.pk), language="en", months=1
    )
    assert totals == [0]
    assert {row.code: row.total for row in rows}["delivery_time"] == 0


# -- phrases -------------------------------------------------------------------------------


def test_distinctive_phrases_are_those_this_shop_hears_more_than_others(shop, world):
    for text in (
        "The gift wrapping was beautiful.",
        "Beautiful gift wrapping, thank you!",
        "Gift wrapped beautifully and the delivery was fast.",
    ):
        review(shop, comment=text)
    reviews_on(world.charlie_shop)
    for text in (
        "Fast delivery.",
        "The delivery was fast.",
        "Delivery was fast, good prices.",
        "Fast delivery and good prices.",
    ):
        review(world.charlie_shop, comment=text)

    found = insights.distinctive_phrases(Shop.objects.filter(pk=shop.pk), every_shop=False)

    texts = [phrase.text for phrase in found]
    assert texts[0] == "gift wrapping"
    assert "delivery was fast" not in texts  # everyone says it
    assert "the gift" not in " | ".join(texts)  # no phrase starts with a stop word
    assert found[0].reviews == 3


def test_phrases_older_than_90_days_are_left_out(shop):
    for _ in range(2):
        old = review(shop, comment="Gift wrapping lovely.")
        type(old).objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=91))
    assert insights.distinctive_phrases(Shop.objects.filter(pk=shop.pk), every_shop=True) == []


# -- benchmark -----------------------------------------------------------------------------

GRADES = ["2.00", "3.00", "3.40", "3.80", "4.00", "4.20", "4.40", "4.60", "4.80", "5.00"]


def rated(shop, grade: str, negatives: int, count: int = 20) -> ShopRating:
    return ShopRating.objects.create(
        shop=shop,
        grade=Decimal(grade),
        count=count,
        distribution={"1": negatives, "2": 0, "3": 0, "4": 0, "5": count - negatives},
        window_start=TODAY - timedelta(days=365),
        computed_at=timezone.now(),
    )


def test_benchmark_quartiles_of_ten_shops_of_the_market(world):
    shops = [world.shop] + [ShopFactory(target_market="DE") for _ in range(9)]
    for n, (one, grade) in enumerate(zip(shops, GRADES, strict=True)):
        rated(one, grade, negatives=n)  # 0 %, 5 %, ... 45 % negative
    rated(ShopFactory(target_market="FR"), "1.00", negatives=20)  # another market
    closed = ShopFactory(target_market="DE", closed_at=timezone.now())
    rated(closed, "1.00", negatives=20)  # no longer live

    figures = insights.benchmark(world.shop)

    assert figures.grade == Decimal("2.00")
    assert figures.negative == Decimal("0.00")
    assert figures.group is not None
    assert figures.group.shops == 10
    # percentile_cont: positions 2.25, 4.5 and 6.75 of the ten sorted values.
    assert figures.group.grade == [Decimal("3.50"), Decimal("4.10"), Decimal("4.55")]
    assert figures.group.negative == [Decimal("11.25"), Decimal("22.50"), Decimal("33.75")]
    assert (figures.grade_quarter, figures.negative_quarter) == (4, 1)  # lowest grade, fewest 1-2★


def test_benchmark_of_a_group_below_ten_shops_is_not_shown(world):
    shops = [world.shop] + [ShopFactory(target_market="DE") for _ in range(8)]
    for one, grade in zip(shops, GRADES, strict=False):
        rated(one, grade, negatives=1)
    ShopFactory(target_market="DE")  # a tenth shop, but without a grade

    assert insights.benchmark(world.shop).group is None
    groups, left_out = insights.benchmark_groups()
    assert groups == []
    assert left_out == 1


def test_staff_see_every_market_with_enough_shops(world):
    for grade in GRADES:
        rated(ShopFactory(target_market="AT"), grade, negatives=2)
    for grade in GRADES[:3]:
        rated(ShopFactory(target_market="FR"), grade, negatives=2)

    groups, left_out = insights.benchmark_groups()

    assert [(g.market, g.shops) for g in groups] == [("AT", 10)]
    assert groups[0].negative == [Decimal("10.00")] * 3
    assert left_out == 1
