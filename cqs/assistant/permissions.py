"""Who may see the question log and edit the FAQ and synonyms: the province administrator."""

from __future__ import annotations

from typing import Any

from cqs.accounts.permissions import roles_of
from cqs.accounts.rules import Role


def can_manage_assistant(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated) and Role.PROVINCE_ADMIN in roles_of(
        user
    )
