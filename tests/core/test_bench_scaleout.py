"""bench/scaleout.py counts each outbox row's emails in the files Django's file backend writes.

The files here are written by the backend the benchmark's workers use
(django.core.mail.backends.filebased), with the Message-ID the outbox sender sets.
"""

from __future__ import annotations

from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend

from bench.scaleout import message_ids


def email(pk: int) -> EmailMessage:
    return EmailMessage(
        subject=f"Claim C-{pk}",
        body="Message-ID: <outbox.999.1@x> in a body is not a header\n",
        to=["buyer@bench.example"],
        headers={"Message-ID": f"<outbox.{pk}.20260101120000000000@trustmark.example>"},
    )


def test_every_message_in_every_file_counts_once_and_a_second_copy_shows(tmp_path: Path):
    with EmailBackend(file_path=str(tmp_path)) as backend:  # one file, three messages
        backend.send_messages([email(1), email(2), email(3)])
    EmailBackend(file_path=str(tmp_path)).send_messages([email(2)])  # a second file

    found = message_ids(tmp_path)

    assert len(list(tmp_path.iterdir())) == 2
    assert found == {1: 1, 2: 2, 3: 1}
