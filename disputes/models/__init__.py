from disputes.models.cases import (
    MEDIATION_STATES,
    OPEN_CLAIM_STATES,
    UNDECIDED,
    Attachment,
    Claim,
    ClaimReason,
    ClaimState,
    Message,
    Party,
    ShopAnswer,
    due_expression,
    queue_order_expression,
)
from disputes.models.payouts import Payout, PayoutState, RecourseEntry, RecourseReimbursement

__all__ = [
    "MEDIATION_STATES",
    "OPEN_CLAIM_STATES",
    "UNDECIDED",
    "Attachment",
    "Claim",
    "ClaimReason",
    "ClaimState",
    "Message",
    "Party",
    "Payout",
    "PayoutState",
    "RecourseEntry",
    "RecourseReimbursement",
    "ShopAnswer",
    "due_expression",
    "queue_order_expression",
]
