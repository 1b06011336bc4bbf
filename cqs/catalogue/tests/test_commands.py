from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cqs.catalogue.models import Procedure


def test_export_then_import_json_and_xlsx(demo: Any, tmp_path: Path) -> None:
    for name in ("cat.json", "cat.xlsx"):
        path = tmp_path / name
        call_command("export_catalogue", str(path), stdout=io.StringIO())
        out = io.StringIO()
        call_command("import_catalogue", str(path), stdout=out)
        assert "created 0, updated 0, unchanged 46, errors 0" in out.getvalue()


def test_import_reports_bad_entries_and_fails(demo: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("export_catalogue", stdout=out)
    data = json.loads(out.getvalue())
    data[0]["steps"][0]["share_percent"] = 1  # shares no longer add up to 100
    data[1]["name"] = "Tên mới của thủ tục"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 entries were not imported"):
        call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=err)
    assert f"entry 1 ({data[0]['code']})" in err.getvalue()
    assert "100%" in err.getvalue()
    assert Procedure.objects.get(code=data[1]["code"]).name == "Tên mới của thủ tục"


def test_import_missing_or_unknown_file(demo: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_catalogue", str(tmp_path / "none.json"))
    other = tmp_path / "x.csv"
    other.write_text("a,b")
    with pytest.raises(CommandError, match=r"\.json hoặc \.xlsx"):
        call_command("import_catalogue", str(other))
    with pytest.raises(CommandError):
        call_command("export_catalogue", str(tmp_path / "x.csv"))
