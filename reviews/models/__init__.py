"""Reviews of shops and of their products: one model, one moderation workflow for both."""

from reviews.models.invitations import (
    Invitation,
    InvitationLine,
    InvitationSource,
    InvitationState,
    Unsubscribe,
)
from reviews.models.messages import ShopMessage
from reviews.models.products import Product, ProductRating
from reviews.models.profiles import AlertPreference, ReviewMode, ReviewSettings, ShopRating
from reviews.models.reports import (
    OPEN_REPORT_STATES,
    Decision,
    Report,
    ReportReason,
    ReportState,
)
from reviews.models.reviews import (
    CRITERIA,
    VISIBLE_STATES,
    Label,
    Review,
    ReviewPhoto,
    ReviewState,
    Subject,
)
from reviews.models.themes import Theme

__all__ = [
    "CRITERIA",
    "OPEN_REPORT_STATES",
    "VISIBLE_STATES",
    "AlertPreference",
    "Decision",
    "Invitation",
    "InvitationLine",
    "InvitationSource",
    "InvitationState",
    "Label",
    "Product",
    "ProductRating",
    "Report",
    "ReportReason",
    "ReportState",
    "Review",
    "ReviewMode",
    "ReviewPhoto",
    "ReviewSettings",
    "ReviewState",
    "ShopMessage",
    "ShopRating",
    "Subject",
    "Theme",
    "Unsubscribe",
]
