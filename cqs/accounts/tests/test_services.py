from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cqs.accounts.models import ApiToken, RoleAssignment, User, UserKind
from cqs.accounts.rules import Role
from cqs.accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    role_assign,
    role_revoke,
    user_create_citizen,
    user_create_official,
)
from cqs.audit.models import AuditEvent
from cqs.core.errors import Conflict, NotFound, PermissionDenied, ValidationError


def test_passwords_are_hashed_with_argon2(demo: Any) -> None:
    user = demo.user("tiepnhan")
    assert user.password.startswith("argon2$")


def test_admin_creates_official_in_their_agency(demo: Any) -> None:
    admin = demo.user("quantrixa")
    desk = demo.agency("001.00.21.H49")
    user = user_create_official(
        actor=admin,
        username="tiepnhan3",
        full_name="Lý Thị Ba",
        password="Mat-khau-rat-manh-2026",
        roles=[(Role.RECEIVING_OFFICER, desk)],
    )
    assert user.kind == UserKind.OFFICIAL
    assert RoleAssignment.objects.filter(user=user, agency=desk).count() == 1
    row = AuditEvent.objects.get(action="user.create_official", object_id=str(user.pk))
    assert row.actor_username == "quantrixa"


def test_admin_cannot_create_outside_their_tree(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        user_create_official(
            actor=demo.user("quantrixa"),
            username="x1",
            full_name="X",
            password="Mat-khau-rat-manh-2026",
            roles=[(Role.RECEIVING_OFFICER, demo.agency("001.00.20.H49"))],
        )
    assert not User.objects.filter(username="x1").exists()


def test_weak_password_and_duplicate_username(demo: Any) -> None:
    desk = demo.agency("001.00.21.H49")
    with pytest.raises(ValidationError) as err:
        user_create_official(
            actor=None,
            username="x2",
            full_name="X",
            password="123",
            roles=[(Role.RECEIVING_OFFICER, desk)],
        )
    assert "password" in err.value.details
    with pytest.raises(Conflict):
        user_create_official(
            actor=None,
            username="tiepnhan",
            full_name="X",
            password="Mat-khau-rat-manh-2026",
            roles=[],
        )


def test_citizen_id_number_is_validated_and_unique(demo: Any) -> None:
    with pytest.raises(ValidationError) as err:
        user_create_citizen(
            actor=None,
            username="dan1",
            full_name="A",
            password="Mat-khau-rat-manh-2026",
            id_number="123",
        )
    assert "12 chữ số" in err.value.message
    with pytest.raises(Conflict):
        user_create_citizen(
            actor=None,
            username="dan2",
            full_name="A",
            password="Mat-khau-rat-manh-2026",
            id_number=demo.user("congdan").id_number,
        )
    assert not User.objects.filter(username__in=["dan1", "dan2"]).exists()


def test_role_assign_and_revoke(demo: Any) -> None:
    admin = demo.user("quantri")
    user = demo.user("xuly")
    division = demo.agency("004.00.20.H49")
    role_assign(actor=admin, user=user, role=Role.PROCESSING_OFFICER, agency=division)
    assert RoleAssignment.objects.filter(user=user, agency=division).exists()
    role_revoke(actor=admin, user=user, role=Role.PROCESSING_OFFICER, agency=division)
    assert not RoleAssignment.objects.filter(user=user, agency=division).exists()
    with pytest.raises(NotFound):
        role_revoke(actor=admin, user=user, role=Role.PROCESSING_OFFICER, agency=division)
    with pytest.raises(PermissionDenied):
        role_assign(actor=demo.user("tiepnhan"), user=user, role=Role.LEADER, agency=division)
    with pytest.raises(ValidationError):
        role_assign(actor=admin, user=demo.user("congdan"), role=Role.LEADER, agency=division)


def test_api_token_lifecycle(demo: Any) -> None:
    user = demo.user("tiepnhan")
    token, raw = api_token_create(actor=user, user=user, name="script")
    assert raw.startswith("cqs_")
    assert raw not in token.key_hash  # only the hash is stored
    assert api_token_authenticate(raw) == user
    assert api_token_authenticate(raw + "x") is None
    assert api_token_authenticate("garbage") is None
    api_token_revoke(actor=user, token=token)
    assert api_token_authenticate(raw) is None
    with pytest.raises(Conflict):
        api_token_revoke(actor=user, token=token)


def test_expired_token_and_inactive_user(demo: Any) -> None:
    user = demo.user("xuly")
    _, raw = api_token_create(
        actor=None, user=user, expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert api_token_authenticate(raw) is None
    _, raw2 = api_token_create(actor=None, user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert api_token_authenticate(raw2) is None


def test_others_cannot_make_tokens_for_you(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        api_token_create(actor=demo.user("xuly"), user=demo.user("tiepnhan"))


def test_create_api_token_command(demo: Any) -> None:
    out = io.StringIO()
    call_command("create_api_token", "vanthu", "--name", "migration", "--days", "30", stdout=out)
    raw = out.getvalue().strip()
    assert api_token_authenticate(raw) == demo.user("vanthu")
    token = ApiToken.objects.get(user__username="vanthu")
    assert token.expires_at is not None
    call_command("revoke_api_token", token.prefix, stdout=io.StringIO())
    assert api_token_authenticate(raw) is None
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_token", "vanthu", "--days", "0", stdout=io.StringIO())
