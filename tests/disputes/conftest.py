import pytest

from accounts.roles import Role
from certification.models import MembershipPlan
from disputes.access import CaseActor, buyer_of
from disputes.models import Party
from guarantees.services import register_guarantee
from tests.factories import staff_user
from tests.guarantees.helpers import purchase


@pytest.fixture
def guarantee(world, active_mark):
    """A Plus guarantee on alice's certified shop: EUR 3,000 bought today, all of it covered."""
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    world.shop.save(update_fields=["plan"])
    return register_guarantee(
        shop=world.shop,
        purchase=purchase(amount="3000.00", plan="plus", buyer_email="ines@example.org"),
        channel="api",
    )


@pytest.fixture
def buyer(guarantee):
    return buyer_of(guarantee)


@pytest.fixture
def shop_side(world):
    return CaseActor(user=world.alice, party=Party.SHOP)


@pytest.fixture
def staff(mediator):
    return CaseActor(user=mediator, party=Party.STAFF)


@pytest.fixture
def second_staff(db):
    person = staff_user(Role.MEDIATOR, email="mediator2@trustmark.example")
    return CaseActor(user=person, party=Party.STAFF)
