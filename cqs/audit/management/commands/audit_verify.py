from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cqs.audit.models import AuditEvent
from cqs.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chains of the audit log; report the first broken link of each."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_verify()
        if problems:
            for p in problems:
                self.stderr.write(f"BROKEN chain {p.chain} at seq {p.seq}: {p.reason}")
            raise CommandError(f"{len(problems)} audit chain(s) broken")
        self.stdout.write(f"OK: {AuditEvent.objects.count()} audit rows, every link intact")
