import pytest

from certification.models import MembershipPlan
from guarantees.keys import create_api_key


@pytest.fixture
def certified(world, active_mark):
    """alice's shop, certified, on the Plus plan (it offers Basic and Plus)."""
    world.shop.plan = MembershipPlan.objects.get(code="plus")
    world.shop.save(update_fields=["plan"])
    return world.shop


@pytest.fixture
def api_key(certified, world):
    _key, secret = create_api_key(shop=certified, actor=world.alice, name="checkout")
    return secret
