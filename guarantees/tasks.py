"""Periodic guarantee work; safe to run twice."""

from celery import shared_task

from guarantees import reminders
from guarantees.idempotency import purge_old_requests
from guarantees.services import expire_due_guarantees


@shared_task
def expire_guarantees() -> int:
    return expire_due_guarantees()


@shared_task
def purge_idempotency_keys() -> int:
    return purge_old_requests()


@shared_task
def send_cover_reminders() -> int:
    return reminders.send_cover_reminders()
