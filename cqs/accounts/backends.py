from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class CqsModelBackend(ModelBackend):
    """Django's backend, refusing demo accounts when CQS_ENV=production."""

    def user_can_authenticate(self, user: Any) -> bool:
        if settings.IS_PRODUCTION and getattr(user, "is_demo", False):
            return False
        return super().user_can_authenticate(user)
