"""factory_boy factories for the people and objects tests talk about."""

from __future__ import annotations

import io

import factory
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from accounts.models import User
from accounts.roles import Role
from certification.models import Member, MembershipPlan, Shop, TeamMembership, TeamRole

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


def staff_user(role: str, **kwargs: object) -> User:
    """Staff as they are once set up: in the role group, with a confirmed TOTP device."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    give_totp(user)
    return user


def give_totp(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def current_totp(device: TOTPDevice) -> str:
    """The code the authenticator shows now; the next one when this one was already used
    (django-otp refuses a code twice, and its tolerance accepts the next step)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= totp.t():
        totp.drift = device.last_t + 1 - totp.t()
    return f"{totp.token():0{device.digits}d}"


def administrator(**kwargs: object) -> User:
    return staff_user(Role.ADMINISTRATOR, **kwargs)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipPlan
        django_get_or_create = ("code",)

    code = "basic"
    name = "Trustmark Basic"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    legal_name = factory.Sequence(lambda n: f"Member {n} GmbH")
    street = "Hauptstraße 1"
    postal_code = "10115"
    city = "Berlin"
    country = "DE"
    contact_email = factory.Sequence(lambda n: f"contact{n}@member.example")


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    member = factory.SubFactory(MemberFactory)
    name = factory.Sequence(lambda n: f"Shop {n}")
    domain = factory.Sequence(lambda n: f"shop{n}.example")
    language = "de"
    target_market = "DE"
    currency = "EUR"
    plan = factory.SubFactory(PlanFactory)


def join(member: Member, user: User, role: str = TeamRole.EMPLOYEE) -> TeamMembership:
    return TeamMembership.objects.create(member=member, user=user, role=role)


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A real (small, blue) PNG without metadata: re-encoding it on upload gives the same bytes."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 92, 173)).save(out, format="PNG")
    return out.getvalue()
