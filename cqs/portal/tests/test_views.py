"""The public portal and the back office catalogue page, as a browser sees them."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cqs.audit.models import AuditEvent
from cqs.catalogue import xlsx
from cqs.catalogue.models import Procedure
from cqs.catalogue.tests.helpers import BIRTH, MARRIAGE, demo_entries, demo_entry, new_entry

CATALOGUE = "/quan-tri/thu-tuc/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _html(response) -> str:
    return unescape(response.content.decode())


def _text(response) -> str:
    """The visible text of a page, tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(response)))


# --- home ------------------------------------------------------------------------------------


def test_home_shows_each_sector_with_its_count(demo, client):
    response = client.get("/")

    assert response.status_code == 200
    html = _html(response)
    counts = Counter((e["sector"]["code"], e["sector"]["name"]) for e in demo_entries())
    for (code, name), n in counts.items():
        tile = re.search(
            rf'href="/thu-tuc/\?linh-vuc={re.escape(code)}"><span>{re.escape(name)}</span>'
            rf"<small>(\d+) thủ tục</small>",
            html,
        )
        assert tile, f"no tile for {name}"
        assert int(tile.group(1)) == n, name


def test_home_shows_totals(demo, client):
    text = _text(client.get("/"))

    total = len(demo_entries())
    full = sum(e["online_level"] == "full" for e in demo_entries())
    assert f"{total} thủ tục" in text
    assert f"{full} dịch vụ công trực tuyến toàn trình" in text


def test_home_hides_a_sector_whose_procedures_are_all_withdrawn(demo, client):
    Procedure.objects.filter(sector__code="viec-lam").update(is_active=False)

    html = _html(client.get("/"))

    assert "linh-vuc=viec-lam" not in html
    assert "linh-vuc=ho-tich" in html


# --- procedure list --------------------------------------------------------------------------


def test_search_without_accents_lists_birth_registration(demo, client):
    response = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})

    assert response.status_code == 200
    html = _html(response)
    assert f'href="/thu-tuc/{BIRTH}/"' in html
    assert demo_entry(BIRTH)["name"] in html
    assert f'href="/thu-tuc/{MARRIAGE}/"' not in html
    assert 'value="dang ky khai sinh"' in html  # the query stays in the box


def test_search_with_accents_from_the_query_string(demo, client):
    response = client.get(
        "/thu-tuc/?q=%C4%91%C4%83ng+k%C3%BD+k%E1%BA%BFt+h%C3%B4n"
    )  # đăng ký kết hôn

    html = _html(response)
    assert f'href="/thu-tuc/{MARRIAGE}/"' in html
    assert f'href="/thu-tuc/{BIRTH}/"' not in html


def test_no_result_says_so_in_vietnamese(demo, client):
    response = client.get("/thu-tuc/", {"q": "tàu vũ trụ"})

    assert response.status_code == 200
    assert "Không tìm thấy thủ tục phù hợp" in _text(response)
    assert response.context["page"].paginator.count == 0


def test_sector_and_level_filters(demo, client):
    response = client.get("/thu-tuc/", {"linh-vuc": "chung-thuc", "cap": "commune"})

    page = response.context["page"]
    expected = sum(
        e["sector"]["code"] == "chung-thuc" and e["level"] == "commune" for e in demo_entries()
    )
    assert page.paginator.count == expected
    assert {p.sector.code for p in page} == {"chung-thuc"}
    assert 'option value="chung-thuc" selected' in _html(response)


@pytest.mark.parametrize(
    ("params", "page_number"),
    [
        ({"cap": "zzz"}, 1),
        ({"truc-tuyen": "<script>"}, 1),
        ({"trang": "abc"}, 1),
        ({"trang": "-1"}, "last"),
        ({"trang": "99999"}, "last"),
        ({"trang": "last"}, 1),
        ({"q": "x" * 5000}, 1),
    ],
    ids=[
        "cap-zzz",
        "online-junk",
        "page-abc",
        "page-negative",
        "page-99999",
        "page-last",
        "q-huge",
    ],
)
def test_bad_filter_values_still_show_a_sensible_page(demo, client, params, page_number):
    response = client.get("/thu-tuc/", params)

    assert response.status_code == 200
    page = response.context["page"]
    expected = page.paginator.num_pages if page_number == "last" else page_number
    assert page.number == expected
    if "q" not in params:
        # An ignored filter shows the whole catalogue, and the page is never empty.
        assert page.paginator.count == len(demo_entries())
        assert len(page.object_list) > 0
    assert "<script>" not in response.content.decode()


def test_pages_of_the_list_cover_every_procedure(demo, client):
    first = client.get("/thu-tuc/").context["page"]
    codes: list[str] = []
    for n in first.paginator.page_range:
        codes += [p.code for p in client.get("/thu-tuc/", {"trang": n}).context["page"]]

    assert sorted(codes) == sorted(e["code"] for e in demo_entries())


# --- procedure page --------------------------------------------------------------------------


def test_procedure_page_shows_documents_fees_and_time_limit(demo, client):
    response = client.get(f"/thu-tuc/{BIRTH}/")

    assert response.status_code == 200
    text = _text(response)
    source = demo_entry(BIRTH)
    assert source["name"] in text
    for document in source["documents"]:
        assert document["name"] in text
    for fee in source["fees"]:
        assert fee["name"] in text
    assert "Miễn phí" in text  # the on-time registration fee is 0
    assert "8.000 đồng" in text  # the copy fee, written the Vietnamese way
    assert f"{source['time_limit']['value']} ngày làm việc" in text
    for step in source["steps"]:
        assert step["name"] in text


def test_large_fee_is_grouped_by_thousands(demo, client):
    entry = new_entry("1.999201", "Thủ tục có lệ phí lớn")
    entry["fees"] = [{"name": "Lệ phí cấp phép", "amount": 1500000}]
    from cqs.catalogue.services import catalogue_import

    assert catalogue_import(actor=None, entries=[entry]).created == ["1.999201"]

    text = _text(client.get("/thu-tuc/1.999201/"))

    assert "Lệ phí cấp phép: 1.500.000 đồng" in text


def test_procedure_without_fees_says_no_fee(demo, client):
    entry = new_entry("1.999202", "Thủ tục không thu phí")
    entry["fees"] = []
    from cqs.catalogue.services import catalogue_import

    catalogue_import(actor=None, entries=[entry])

    assert "Không thu phí, lệ phí" in _text(client.get("/thu-tuc/1.999202/"))


def test_procedure_page_with_fractional_time_limit_uses_vietnamese_decimal_comma(demo, client):
    entry = new_entry("1.999203", "Thủ tục nửa ngày")
    entry["time_limit"] = {"value": 0.5, "unit": "working_days", "note": ""}
    from cqs.catalogue.services import catalogue_import

    catalogue_import(actor=None, entries=[entry])

    assert re.search(r"\b0,50? ngày làm việc", _text(client.get("/thu-tuc/1.999203/")))


@pytest.mark.parametrize("code", ["9.999999", "khong-co-thu-tuc"])
def test_unknown_procedure_is_a_vietnamese_404_page(demo, client, code):
    response = client.get(f"/thu-tuc/{code}/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    text = _text(response)
    assert "Không tìm thấy" in text
    assert code in text


def test_withdrawn_procedure_is_404(demo, client):
    Procedure.objects.filter(code=BIRTH).update(is_active=False)

    assert client.get(f"/thu-tuc/{BIRTH}/").status_code == 404


# --- back office catalogue page --------------------------------------------------------------


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _json(entries) -> bytes:
    return json.dumps(entries, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo.user("quantri"))
    return client


def test_admin_sees_the_import_form_and_the_catalogue(admin_client):
    response = admin_client.get(CATALOGUE)

    assert response.status_code == 200
    html = _html(response)
    assert 'enctype="multipart/form-data"' in html
    assert 'name="file"' in html
    assert "/quan-tri/thu-tuc/xuat.json" in html
    assert "/quan-tri/thu-tuc/xuat.xlsx" in html


def test_admin_uploads_a_valid_json_file(admin_client):
    entries = [new_entry("1.999301", "Thủ tục nhập qua trang quản trị"), demo_entry(BIRTH)]

    response = admin_client.post(CATALOGUE, {"file": _upload("danh-muc.json", _json(entries))})

    assert response.status_code in {200, 201}
    text = _text(response)
    assert "Đã nhập" in text
    assert "1 thêm mới" in text
    assert "1 không đổi" in text
    assert "0 lỗi" in text
    assert Procedure.objects.get(code="1.999301").name == "Thủ tục nhập qua trang quản trị"
    event = AuditEvent.objects.filter(action="procedure.create").order_by("-id").first()
    assert event.actor_username == "quantri"


def test_admin_uploads_a_valid_xlsx_file(admin_client):
    content = xlsx.write_catalogue([new_entry("1.999302", "Thủ tục nhập từ Excel")])

    response = admin_client.post(CATALOGUE, {"file": _upload("danh-muc.xlsx", content)})

    assert response.status_code in {200, 201}
    assert "1 thêm mới" in _text(response)
    assert Procedure.objects.filter(code="1.999302").exists()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("danh-muc.json", b"day khong phai JSON", "Tệp JSON không đọc được"),
        ("danh-muc.json", b'{"code": "1.999401"}', "mảng JSON"),
        ("danh-muc.csv", b"code,name\n1.999401,x", "Chỉ nhận tệp .json hoặc .xlsx"),
        ("danh-muc.xlsx", b"PK\x03\x04 not really a zip", "không phải bảng tính Excel"),
        ("danh-muc.xlsx", b"plain text", "không phải bảng tính Excel"),
    ],
    ids=["not-json", "json-object", "csv", "broken-zip", "text-as-xlsx"],
)
def test_unreadable_upload_gives_a_422_page_with_the_reason(
    admin_client, filename, content, message
):
    count, audits = Procedure.objects.count(), AuditEvent.objects.count()

    response = admin_client.post(CATALOGUE, {"file": _upload(filename, content)})

    assert response.status_code == 422
    assert message in _text(response)
    assert "Đã nhập" not in _text(response)
    assert Procedure.objects.count() == count
    assert AuditEvent.objects.count() == audits


def test_post_without_a_file_asks_for_one(admin_client):
    response = admin_client.post(CATALOGUE, {})

    assert response.status_code == 422
    assert "Vui lòng chọn tệp" in _text(response)


def _entries_with_errors() -> list[dict]:
    shares = new_entry("1.999501")
    max(shares["steps"], key=lambda s: s["share_percent"])["share_percent"] -= 10
    level = new_entry("1.999502")
    level["level"] = "district"
    return [shares, level]


def test_upload_with_bad_entries_lists_each_error_and_saves_none_of_them(admin_client):
    count = Procedure.objects.count()

    response = admin_client.post(
        CATALOGUE, {"file": _upload("loi.json", _json(_entries_with_errors()))}
    )

    text = _text(response)
    assert "Mục 1 (1.999501)" in text
    assert "tổng tỷ lệ thời gian các bước phải bằng 100%" in text
    assert "Mục 2 (1.999502)" in text
    assert "level" in text
    assert "giá trị không hợp lệ" in text  # the reason in Vietnamese, not pydantic's English
    assert "Input should be" not in text
    assert Procedure.objects.count() == count
    assert not Procedure.objects.filter(code__in=["1.999501", "1.999502"]).exists()


def test_upload_whose_entries_all_fail_is_a_422(admin_client):
    response = admin_client.post(
        CATALOGUE, {"file": _upload("loi.json", _json(_entries_with_errors()))}
    )

    assert response.status_code == 422


def test_mixed_upload_saves_the_good_entry_and_reports_the_bad_one(admin_client):
    entries = [new_entry("1.999601", "Thủ tục tốt"), *_entries_with_errors()]

    response = admin_client.post(CATALOGUE, {"file": _upload("mot-phan.json", _json(entries))})

    text = _text(response)
    assert "1 thêm mới" in text
    assert "2 lỗi" in text
    assert "Mục 2 (1.999501)" in text
    assert Procedure.objects.filter(code="1.999601").exists()
    assert not Procedure.objects.filter(code="1.999501").exists()


def test_receiving_officer_cannot_import(client, demo):
    client.force_login(demo.user("tiepnhan"))
    count = Procedure.objects.count()

    page = client.get(CATALOGUE)
    response = client.post(
        CATALOGUE, {"file": _upload("danh-muc.json", _json([new_entry("1.999701")]))}
    )

    assert page.status_code == 200
    assert 'name="file"' not in _html(page)  # no import form for a non-admin
    assert response.status_code == 403
    assert "Chỉ quản trị cấp tỉnh" in _text(response)
    assert Procedure.objects.count() == count


def test_citizen_cannot_open_the_back_office_catalogue(client, demo):
    client.force_login(demo.user("congdan"))

    assert client.get(CATALOGUE).status_code == 403
    assert client.get("/quan-tri/thu-tuc/xuat.json").status_code == 403


def test_anonymous_visitor_is_sent_to_the_login_page(client, demo):
    response = client.get(CATALOGUE)

    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


# --- export ----------------------------------------------------------------------------------


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def test_json_export_downloads_the_whole_catalogue(admin_client):
    response = admin_client.get("/quan-tri/thu-tuc/xuat.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == (
        f'attachment; filename="danh-muc-thu-tuc-{_stamp()}.json"'
    )
    data = json.loads(response.content.decode("utf-8"))
    assert sorted(e["code"] for e in data) == sorted(e["code"] for e in demo_entries())
    assert "Thủ tục đăng ký khai sinh" in response.content.decode("utf-8")  # not \\u escapes


def test_xlsx_export_downloads_a_readable_workbook(admin_client):
    response = admin_client.get("/quan-tri/thu-tuc/xuat.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="danh-muc-thu-tuc-{_stamp()}.xlsx"'
    )
    entries = xlsx.read_catalogue(io.BytesIO(response.content))
    assert sorted(e["code"] for e in entries) == sorted(e["code"] for e in demo_entries())


def test_exported_json_uploaded_back_changes_nothing(admin_client):
    exported = admin_client.get("/quan-tri/thu-tuc/xuat.json").content
    audits = AuditEvent.objects.count()

    response = admin_client.post(CATALOGUE, {"file": _upload("xuat.json", exported)})

    assert f"{len(demo_entries())} không đổi" in _text(response)
    assert AuditEvent.objects.count() == audits


def test_officer_may_export(client, demo):
    client.force_login(demo.user("tiepnhan"))

    response = client.get("/quan-tri/thu-tuc/xuat.json")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("fmt", ["csv", "xml", "JSON"])
def test_unknown_export_format_is_404(admin_client, fmt):
    response = admin_client.get(f"/quan-tri/thu-tuc/xuat.{fmt}")

    assert response.status_code == 404
    assert "Content-Disposition" not in response
    assert "Không tìm thấy" in _text(response)
