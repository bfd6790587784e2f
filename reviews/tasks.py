"""Periodic review work; safe to run twice or on two workers at once."""

from celery import shared_task

from reviews import invitation_sending, moderation, moderation_upkeep, ratings


@shared_task
def nightly() -> dict[str, int]:
    """What the moving 12-month window and the retention periods ask for once a day."""
    return {
        "profiles": ratings.refresh_all(),
        "erased": moderation_upkeep.erase_expired(),
        "invitations_expired": invitation_sending.expire_past(),
        "invitations_erased": invitation_sending.erase_unused(),
    }


@shared_task
def run_report_deadlines() -> int:
    """Reports whose author did not answer in time become ready for a decision."""
    return moderation.run_report_deadlines()


@shared_task
def send_due_invitations() -> dict[str, int]:
    """Every few minutes: invite new guarantees' buyers, send what is due, remind once, expire."""
    figures = {"created": invitation_sending.invite_registered_guarantees()}
    figures.update(invitation_sending.send_due())
    figures["reminded"] = invitation_sending.send_reminders()
    figures["expired"] += invitation_sending.expire_past()
    figures["delivered"] = invitation_sending.mark_delivered()
    return figures
