"""Periodic guarantee work; safe to run twice."""

from celery import shared_task

from guarantees.services import expire_due_guarantees


@shared_task
def expire_guarantees() -> int:
    return expire_due_guarantees()
