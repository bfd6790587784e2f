"""`manage.py verify_history`: prove the money and mark history was not edited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.history_chain import verify


class Command(BaseCommand):
    help = "Walk every history chain, recompute its hashes and name the first bad event."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify()
        self.stdout.write(f"{report.chains} chains, {report.links} links checked.")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("History chain intact."))
            return
        for fault in report.faults:
            self.stderr.write(f"BROKEN {fault}")
        raise CommandError(f"{len(report.faults)} chain(s) broken; first: {report.faults[0]}")
