from typing import Any

from django.core.management.base import BaseCommand

from cqs.units.services import units_load_national


class Command(BaseCommand):
    help = "Load Vietnam's 34 provinces and 3,321 communes (two-level government, 1 July 2025)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = units_load_national(actor=None)
        self.stdout.write(
            f"provinces created: {result.provinces_created}, communes created: "
            f"{result.communes_created}, renamed: {result.updated}"
        )
