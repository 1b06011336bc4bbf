from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from cqs.audit.services import audit_verify
from cqs.core.text import fold

ROOT = Path(__file__).resolve().parents[3]


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"units", "accounts", "catalogue", "audit", "workdays"}
    }


def test_seed_demo_twice_changes_nothing(demo: Any) -> None:
    before = _counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == before
    assert "46 không đổi" in out.getvalue()
    for username in ["tiepnhan", "xuly", "truongphong", "lanhdao", "vanthu", "quantri", "congdan"]:
        assert username in out.getvalue()
    assert audit_verify() == []


def test_demo_has_every_role(demo: Any) -> None:
    from cqs.accounts.models import RoleAssignment
    from cqs.accounts.rules import Role

    assert set(RoleAssignment.objects.values_list("role", flat=True)) == {r.value for r in Role}


@override_settings(IS_PRODUCTION=True)
def test_seed_demo_refused_in_production(demo: Any) -> None:
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=io.StringIO())


def _settings_in_subprocess(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CQS_", "SECRET_KEY"))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.TIME_ZONE, settings.LANGUAGE_CODE)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "cqs.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_requires_secret_key(tmp_path: Path) -> None:
    result = _settings_in_subprocess({"CQS_ENV": "production", "CQS_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
    ok = _settings_in_subprocess(
        {"CQS_ENV": "production", "SECRET_KEY": "x" * 50, "CQS_VAR_DIR": str(tmp_path)}
    )
    assert ok.returncode == 0, ok.stderr
    assert "Asia/Ho_Chi_Minh vi" in ok.stdout


def test_unknown_environment_name_is_refused(tmp_path: Path) -> None:
    result = _settings_in_subprocess({"CQS_ENV": "staging", "CQS_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "CQS_ENV must be" in result.stderr


def test_demo_database_file_uses_wal(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.db import connection; "
            "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{db}", "CQS_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "wal", result.stderr


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("  GIẤY   phép ", "giay phep"),
        ("Quảng Ninh", "quang ninh"),
        ("Đặc khu Cô Tô", "dac khu co to"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
