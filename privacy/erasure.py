"""Erase a buyer's personal data on request, keeping the shop's and the certifier's record.

What goes: the buyer's email and name, their own words (the claim's description,
their messages), their evidence files, their name on reviews, the emails' bodies,
the account. What stays: numbers, amounts, dates, states, decisions and the texts
the shop and the certifier wrote: the record a shop or the certifier may need to
show a court or an auditor for years (commercial and accounting law).

History events are append-only (pghistory's and pgtrigger's triggers). Erasure is
the one writer allowed past them: it runs inside `pgtrigger.ignore` for exactly the
protections named in PROTECTIONS, which sets the transaction-local
`pgtrigger.ignore` setting for its statements only. The erased fields are outside
the history chain's hashes (core/migrations/0003), so verify_history still passes.

While a claim of the buyer is open the case is under legal hold: erasure is refused
until it has ended.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import pgtrigger
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.history import acting
from disputes.models import Attachment, Claim, Message, Party
from disputes.models.cases import OPEN_CLAIM_STATES
from guarantees.models import Guarantee
from notifications.models import OutgoingMessage
from privacy import data
from reviews.models import Invitation, Review

ERASED_NAME = "Erased buyer"
ERASED_AUTHOR = "Erased"
ERASED_TEXT = "[erased at the buyer's request]"
ERASED_FILE = "erased"

# The append-only protections erasure may pass, and only these.
PROTECTIONS = (
    "guarantees.GuaranteeEvent:append_only",
    "disputes.ClaimEvent:append_only",
    "disputes.MessageEvent:append_only",
    "disputes.Message:messages_append_only",
    "disputes.Attachment:attachments_append_only",
    "reviews.ReviewEvent:append_only",
)


@dataclass(frozen=True)
class Erasure:
    """What one erasure changed, for the confirmation page and the operator's log."""

    pseudonym: str
    guarantees: int
    claims: int
    messages: int
    attachments: int
    reviews: int
    invitations: int
    emails: int
    account: bool


def pseudonym(email: str) -> str:
    """A stable stand-in for the address: keyed, so it cannot be reversed by guessing."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), data.normalise(email).encode(), hashlib.sha256
    ).hexdigest()
    return f"erased-{digest[:16]}@erased.invalid"


def open_claim_numbers(email: str, user: Any | None = None) -> list[str]:
    return list(
        data.claims_of(email, user)
        .filter(state__in=OPEN_CLAIM_STATES)
        .order_by("pk")
        .values_list("number", flat=True)
    )


def _account_for(email: str, user: Any | None) -> Any | None:
    if user is not None:
        return user
    return get_user_model().objects.filter(email__iexact=data.normalise(email)).first()


def erase(*, email: str, actor: Any | None, user: Any | None = None, note: str = "") -> Erasure:
    """Pseudonymise every personal field of the buyer of `email` (and `user`), in one transaction.

    Raises Conflict while one of the buyer's claims is open (legal hold), and for a
    staff or shop-team account (closing it would lock a person out of their work; an
    administrator handles those).
    """
    email = data.normalise(email)
    alias = pseudonym(email)
    account = _account_for(email, user)
    if account is not None and (account.is_staff or account.team_memberships.exists()):
        raise Conflict(
            _(
                "This address belongs to a staff or shop team account: its data is erased by "
                "an administrator, not here."
            )
        )
    if account is not None and actor is not None and actor.pk == account.pk:
        actor = None  # the history must not keep the address of the person it forgets
        note = note or "buyer's request"
    with (
        transaction.atomic(),
        pgtrigger.ignore(*PROTECTIONS),
        acting(actor, "personal_data_erased", note),
    ):
        guarantees = list(
            data.guarantees_of(email, account)
            .select_for_update()
            .order_by("pk")
            .values_list("pk", "number", "buyer_name")
        )
        guarantee_ids = [pk for pk, _number, _name in guarantees]
        claims = list(
            Claim.objects.select_for_update()
            .filter(guarantee_id__in=guarantee_ids)
            .order_by("pk")
            .only("pk", "number", "state")
        )
        still_open = [claim.number for claim in claims if claim.state in OPEN_CLAIM_STATES]
        if still_open:
            raise Conflict(
                _(
                    "The claim %(numbers)s is still open. Your data can be erased once the "
                    "case has ended; until then the shop and the mediator need it."
                )
                % {"numbers": ", ".join(still_open)}
            )
        claim_ids = [claim.pk for claim in claims]
        review_ids = list(data.reviews_of(email, account).values_list("pk", flat=True))
        invitation_ids = list(data.invitations_of(email, account).values_list("pk", flat=True))
        email_ids = list(data.emails_to(email, account).values_list("pk", flat=True))
        message_count, attachment_count = erase_case_rows(guarantee_ids, claim_ids, alias)
        apps.get_model("reviews", "ReviewEvent").objects.filter(pgh_obj_id__in=review_ids).update(
            fingerprint=""
        )
        Review.objects.filter(pk__in=review_ids).update(
            author_name=ERASED_AUTHOR, author_email="", author=None, fingerprint=""
        )
        Invitation.objects.filter(pk__in=invitation_ids).update(
            email="", name="", erased_at=Coalesce(F("erased_at"), timezone.now())
        )
        names = {name for _pk, _number, name in guarantees if len(name) >= 3}
        if account is not None and len(account.full_name) >= 3:
            names.add(account.full_name)
        about = [email, *names, *(number for _pk, number, _name in guarantees)]
        about += [claim.number for claim in claims]
        _erase_emails(email_ids, about, alias)

        with connection.cursor() as cursor:  # who-did-it metadata of the buyer's own actions
            cursor.execute(
                "UPDATE pghistory_context SET metadata = jsonb_set(metadata, '{user_email}', "
                "to_jsonb(%s::text)) WHERE lower(metadata->>'user_email') = %s",
                [alias, email],
            )
        for log in (AccessAttempt, AccessLog, AccessFailureLog):
            log.objects.filter(username__iexact=email).delete()
        if account is not None:
            account.email = alias
            account.full_name = ""
            account.is_active = False
            account.set_unusable_password()
            account.save(update_fields=["email", "full_name", "is_active", "password"])
    return Erasure(
        pseudonym=alias,
        guarantees=len(guarantee_ids),
        claims=len(claim_ids),
        messages=message_count,
        attachments=attachment_count,
        reviews=len(review_ids),
        invitations=len(invitation_ids),
        emails=len(email_ids),
        account=account is not None,
    )


def erase_case_rows(guarantee_ids: list[int], claim_ids: list[int], alias: str) -> tuple[int, int]:
    """The buyer's fields of these guarantees and claims, live rows and history events.

    The caller holds the rows' locks, has checked that no claim is open and runs this
    inside `pgtrigger.ignore(*PROTECTIONS)`. Returns (messages, attachments) erased.
    """
    event = apps.get_model
    event("guarantees", "GuaranteeEvent").objects.filter(pgh_obj_id__in=guarantee_ids).update(
        buyer_email=alias, buyer_name=ERASED_NAME
    )
    Guarantee.objects.filter(pk__in=guarantee_ids).update(buyer_email=alias, buyer_name=ERASED_NAME)
    event("disputes", "ClaimEvent").objects.filter(pgh_obj_id__in=claim_ids).update(
        description=ERASED_TEXT
    )
    Claim.objects.filter(pk__in=claim_ids).update(description=ERASED_TEXT)
    message_ids = list(
        Message.objects.filter(claim_id__in=claim_ids, party=Party.BUYER).values_list(
            "pk", flat=True
        )
    )
    event("disputes", "MessageEvent").objects.filter(pgh_obj_id__in=message_ids).update(
        body=ERASED_TEXT
    )
    Message.objects.filter(pk__in=message_ids).update(body=ERASED_TEXT)
    attachments = Attachment.objects.filter(message_id__in=message_ids)
    files = [name for name in attachments.values_list("file", flat=True) if name]
    attachment_count = attachments.update(name=ERASED_FILE, file="")
    storage = Attachment._meta.get_field("file").storage
    # The files go once the rows no longer name them: a rollback keeps both.
    transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return len(message_ids), attachment_count


def _erase_emails(to_buyer: list[int], about: list[str], alias: str) -> None:
    """Emails to the buyer, and emails to others about their purchases and claims.

    Emails to the shop quote the buyer's words and name; their bodies go as well.
    What was sent to whom and when stays. Pending ones are never sent.
    """
    mentions = Q(pk__in=to_buyer)
    for term in about:
        mentions |= (
            Q(subject__icontains=term) | Q(body_text__icontains=term) | Q(context__icontains=term)
        )
    outbox = OutgoingMessage.objects.filter(mentions)
    outbox.filter(status=OutgoingMessage.Status.PENDING).update(
        status=OutgoingMessage.Status.FAILED, last_error="personal data erased"
    )
    outbox.filter(pk__in=to_buyer).update(to_email=alias)
    outbox.update(subject=ERASED_TEXT, body_text=ERASED_TEXT, context=None)
