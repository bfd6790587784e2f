"""Certification models: members and shops, trust marks, verification documents."""

from certification.models.documents import VerificationDocument
from certification.models.marks import (
    LIVE_MARK_STATES,
    BadgeMisuse,
    MarkState,
    SuspensionReason,
    TrustMark,
)
from certification.models.members import (
    AREA_PERMISSIONS,
    SHOP_LANGUAGES,
    Area,
    Currency,
    Invitation,
    Member,
    MemberGroupObjectPermission,
    MembershipPlan,
    MemberUserObjectPermission,
    Shop,
    ShopGroupObjectPermission,
    ShopUserObjectPermission,
    TeamMembership,
    TeamRole,
    area_codename,
    new_public_id,
)

__all__ = [
    "AREA_PERMISSIONS",
    "LIVE_MARK_STATES",
    "SHOP_LANGUAGES",
    "Area",
    "BadgeMisuse",
    "Currency",
    "Invitation",
    "MarkState",
    "Member",
    "MemberGroupObjectPermission",
    "MemberUserObjectPermission",
    "MembershipPlan",
    "Shop",
    "ShopGroupObjectPermission",
    "ShopUserObjectPermission",
    "SuspensionReason",
    "TeamMembership",
    "TeamRole",
    "TrustMark",
    "VerificationDocument",
    "area_codename",
    "new_public_id",
]
