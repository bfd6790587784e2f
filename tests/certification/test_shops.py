import threading

import pytest
from django.db import IntegrityError, connection, transaction

from certification.models import Shop
from certification.services import close_shop, create_shop, update_shop
from core.errors import DomainError, NotPermitted
from tests.factories import MemberFactory, PlanFactory, ShopFactory, UserFactory, administrator


def _new_shop(actor, member, domain, **extra):
    return create_shop(
        actor=actor,
        member=member,
        name="Shop",
        domain=domain,
        language="de",
        target_market="DE",
        currency="EUR",
        plan=PlanFactory(),
        **extra,
    )


@pytest.mark.django_db
def test_administrator_creates_a_shop_with_a_normalised_domain_and_public_id():
    admin = administrator()
    shop = _new_shop(admin, MemberFactory(), "HTTPS://Bücher.example/start")
    assert shop.domain == "xn--bcher-kva.example"
    assert len(shop.public_id) >= 20
    assert shop.public_id != _new_shop(admin, MemberFactory(), "other.example").public_id


@pytest.mark.django_db
def test_a_live_domain_cannot_be_registered_twice():
    admin = administrator()
    _new_shop(admin, MemberFactory(), "shop.example")
    with pytest.raises(DomainError) as info:
        _new_shop(admin, MemberFactory(), "https://SHOP.example/")
    assert info.value.field == "domain"
    assert "already belongs" in info.value.message
    assert Shop.objects.filter(domain="shop.example").count() == 1


@pytest.mark.django_db
def test_closing_a_shop_frees_its_domain_for_a_new_shop():
    admin = administrator()
    first = _new_shop(admin, MemberFactory(), "shop.example")
    close_shop(actor=admin, shop=first, reason="contract ended")
    second = _new_shop(admin, MemberFactory(), "shop.example")
    assert second.pk != first.pk
    assert Shop.objects.live().get(domain="shop.example") == second


@pytest.mark.django_db
def test_invalid_domain_is_refused_and_nothing_is_stored():
    with pytest.raises(DomainError) as info:
        _new_shop(administrator(), MemberFactory(), "not a domain")
    assert info.value.field == "domain"
    assert Shop.objects.count() == 0


@pytest.mark.django_db
def test_changing_a_domain_to_a_taken_one_leaves_the_shop_as_it_was():
    admin = administrator()
    _new_shop(admin, MemberFactory(), "taken.example")
    shop = _new_shop(admin, MemberFactory(), "mine.example")
    with pytest.raises(DomainError):
        update_shop(actor=admin, shop=shop, domain="taken.example", name="Renamed")
    shop.refresh_from_db()
    assert (shop.domain, shop.name) == ("mine.example", "Shop")


@pytest.mark.django_db
def test_only_administrators_create_shops():
    with pytest.raises(NotPermitted):
        _new_shop(UserFactory(), MemberFactory(), "shop.example")


@pytest.mark.django_db
def test_database_refuses_a_second_live_shop_with_the_same_domain():
    shop = ShopFactory(domain="dup.example")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO certification_shop (member_id, name, domain, language, target_market,"
            " currency, plan_id, public_id, created_at, updated_at)"
            " VALUES (%s, 'x', 'dup.example', 'de', 'DE', 'EUR', %s, 'raw-public-id',"
            " now(), now())",
            [shop.member_id, shop.plan_id],
        )


@pytest.mark.django_db
def test_database_refuses_a_domain_that_is_not_canonical():
    shop = ShopFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Shop.objects.filter(pk=shop.pk).update(domain="Upper.Example")


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_registrations_of_one_domain_create_exactly_one_shop():
    admin = administrator()
    member = MemberFactory()
    PlanFactory()
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def register() -> None:
        try:
            barrier.wait()
            _new_shop(admin, member, "race.example")
            outcomes.append("created")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("created") == 1
    assert outcomes.count("refused") == 19
    assert Shop.objects.filter(domain="race.example").count() == 1
