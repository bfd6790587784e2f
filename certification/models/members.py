"""Members, shops, membership plans, teams, invitations and per-object rights."""

from __future__ import annotations

import secrets

import pghistory
from django.conf import global_settings, settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from certification.domains import display_domain

# Language names from Django's own list, translated by Django's catalogues.
SHOP_LANGUAGES = [(code, _(name)) for code, name in global_settings.LANGUAGES if "-" not in code]


class Currency(models.TextChoices):
    EUR = "EUR", "EUR — Euro"
    GBP = "GBP", "GBP — Pound sterling"
    CHF = "CHF", "CHF — Swiss franc"
    PLN = "PLN", "PLN — Polish złoty"
    CZK = "CZK", "CZK — Czech koruna"
    DKK = "DKK", "DKK — Danish krone"
    SEK = "SEK", "SEK — Swedish krona"
    NOK = "NOK", "NOK — Norwegian krone"
    HUF = "HUF", "HUF — Hungarian forint"
    RON = "RON", "RON — Romanian leu"
    USD = "USD", "USD — US dollar"


class Sells(models.TextChoices):
    """What a shop sells: decides which quality criteria apply to it."""

    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")
    BOTH = "both", _("Goods and services")


class Area(models.TextChoices):
    """The areas a member's owner grants rights on, to the whole member or chosen shops."""

    AUDITS = "audits", _("Audits")
    CASES = "cases", _("Guarantee cases")
    DOCUMENTS = "documents", _("Documents")
    TEAM = "team", _("Team")
    REVIEWS = "reviews", _("Reviews")
    INTEGRATIONS = "integrations", _("Integrations")


AREA_PERMISSIONS = [(f"area_{area.value}", f"Right: {area.value}") for area in Area]


def area_codename(area: str) -> str:
    return f"area_{Area(area).value}"


def new_public_id() -> str:
    """A stable, unguessable id for public URLs (badges, verification)."""
    return secrets.token_urlsafe(16)


class MembershipPlan(models.Model):
    """What a membership includes; one plan per shop."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    features = models.JSONField(_("features"), default=list, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("membership plan")
        verbose_name_plural = _("membership plans")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Member(models.Model):
    """A merchant company: the party to the membership contract."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    registration_number = models.CharField(_("registration number"), max_length=80, blank=True)
    vat_id = models.CharField(_("VAT id"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    contact_email = models.EmailField(_("contact email"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["legal_name"]
        permissions = AREA_PERMISSIONS

    def __str__(self) -> str:
        return self.legal_name


class LiveShopQuerySet(models.QuerySet["Shop"]):
    def live(self) -> LiveShopQuerySet:
        return self.filter(closed_at__isnull=True)


@pghistory.track()
class Shop(models.Model):
    """One domain, one language, one target market: what one membership covers."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="shops", verbose_name=_("member")
    )
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=253)
    language = models.CharField(_("language"), max_length=8, choices=SHOP_LANGUAGES)
    target_market = CountryField(_("target market"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    sells = models.CharField(_("sells"), max_length=16, choices=Sells.choices, default=Sells.GOODS)
    plan = models.ForeignKey(
        MembershipPlan, on_delete=models.PROTECT, related_name="shops", verbose_name=_("plan")
    )
    public_id = models.CharField(
        _("public id"), max_length=32, unique=True, default=new_public_id, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = LiveShopQuerySet.as_manager()

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["domain"]
        permissions = AREA_PERMISSIONS
        constraints = [
            models.UniqueConstraint(
                fields=["domain"],
                condition=Q(closed_at__isnull=True),
                name="certification_shop_live_domain_unique",
                violation_error_message=_("Another live shop already has this domain."),
            ),
            models.CheckConstraint(
                condition=Q(domain=Lower("domain")) & ~Q(domain__contains="/"),
                name="certification_shop_domain_canonical",
            ),
        ]
        indexes = [
            # The verification lookup by domain when no live shop has it: the last mark of a
            # closed shop (the unique index above holds live shops only).
            models.Index(fields=["domain"], name="shop_domain_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_domain})"

    @property
    def display_domain(self) -> str:
        return display_domain(self.domain)

    @property
    def is_live(self) -> bool:
        return self.closed_at is None


class TeamRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    EMPLOYEE = "employee", _("Employee")


@pghistory.track(pghistory.InsertEvent("joined"), pghistory.DeleteEvent("left"))
class TeamMembership(models.Model):
    """A person's place in a member's team: its owner or an employee."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["member", "user"], name="team_one_place_per_person"),
            models.UniqueConstraint(
                fields=["member"], condition=Q(role="owner"), name="team_one_owner_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.member}"


@pghistory.track()
class Invitation(models.Model):
    """An invitation to join a member's team, with the rights granted on acceptance."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(
        _("role"), max_length=16, choices=TeamRole.choices, default=TeamRole.EMPLOYEE
    )
    rights = models.JSONField(_("rights"), default=list, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_withdrawn",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(accepted_by__isnull=False),
                name="invitation_accepted_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="invitation_email_lower"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.member}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


# Guardian's direct foreign-key permission tables: fast checks, real FKs, cascades.


@pghistory.track(pghistory.InsertEvent("granted"), pghistory.DeleteEvent("revoked"))
class MemberUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Member, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("right on a whole member")
        verbose_name_plural = _("rights on whole members")


class MemberGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Member, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


@pghistory.track(pghistory.InsertEvent("granted"), pghistory.DeleteEvent("revoked"))
class ShopUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Shop, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("right on a shop")
        verbose_name_plural = _("rights on shops")


class ShopGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Shop, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
