"""Downloadable forms on the procedure page, as a citizen's browser sees them."""

from __future__ import annotations

import hashlib
import re
from html import unescape
from urllib.parse import unquote

from cqs.catalogue.models import DocumentRequirement
from cqs.catalogue.services import document_form_attach, document_form_remove
from cqs.catalogue.tests.helpers import BIRTH, MARRIAGE, demo_entry

PDF = b"%PDF-1.4\n% another form\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _requirement(code: str = BIRTH, position: int = 1) -> DocumentRequirement:
    return DocumentRequirement.objects.select_related("procedure").get(
        procedure__code=code, position=position
    )


def _rows(html: str) -> list[str]:
    body = re.search(r'<table class="table docs-table">(.*?)</table>', html, re.S)
    assert body, "no documents table"
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)[1:]  # without the header row


def _download(client, requirement: DocumentRequirement, **headers):
    return client.get(requirement.form_url, headers=headers)


def test_procedure_page_links_each_form_with_type_and_size(demo, client) -> None:
    html = unescape(client.get(f"/thu-tuc/{BIRTH}/").content.decode())

    requirement = _requirement()
    rows = _rows(html)
    first = rows[0]
    link = re.search(r'<a class="form-link" href="([^"]+)" download>([^<]+)</a>', first)
    assert link, first
    assert link.group(1) == f"/thu-tuc/{BIRTH}/mau/1/?v={requirement.form_sha256[:12]}"
    assert link.group(2) == f"Tải mẫu «{demo_entry(BIRTH)['documents'][0]['form']}»"
    assert f"(PDF, {requirement.form_size_text})" in first
    # a document without a form file shows its form name or a dash, and no link
    for row, entry in zip(rows[1:], demo_entry(BIRTH)["documents"][1:], strict=True):
        assert "Tải mẫu" not in row
        assert f'data-label="Mẫu">{entry["form"] or "—"}</td>' in row


def test_download_returns_the_same_bytes_with_headers(demo, client) -> None:
    requirement = _requirement()

    response = _download(client, requirement)

    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert hashlib.sha256(content).hexdigest() == requirement.form_sha256
    assert content.startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    assert response["ETag"] == f'"{requirement.form_sha256}"'
    assert response["Cache-Control"] == "public, max-age=86400"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="to-khai-dang-ky-khai-sinh.pdf"; ')
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", disposition)
    assert encoded and unquote(encoded.group(1)) == "Tờ khai đăng ký khai sinh.pdf"
    assert disposition.isascii()


def test_an_unchanged_form_is_not_sent_again(demo, client) -> None:
    requirement = _requirement()

    response = _download(client, requirement, if_none_match=f'"{requirement.form_sha256}"')

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == f'"{requirement.form_sha256}"'


def test_an_old_link_is_cached_briefly_only(demo, client) -> None:
    response = client.get(f"/thu-tuc/{BIRTH}/mau/1/?v=000000000000")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


def test_document_without_form_is_a_vietnamese_404(demo, client) -> None:
    response = client.get(f"/thu-tuc/{BIRTH}/mau/2/")

    assert response.status_code == 404
    text = unescape(response.content.decode())
    assert f"Giấy tờ số 2 của thủ tục «{BIRTH}» không có mẫu đơn, tờ khai để tải về." in text
    assert client.get("/thu-tuc/9.999999/mau/1/").status_code == 404
    assert client.get(f"/thu-tuc/{BIRTH}/mau/99/").status_code == 404


def test_withdrawn_procedure_has_no_download(demo, client) -> None:
    requirement = _requirement()
    requirement.procedure.is_active = False
    requirement.procedure.save(update_fields=["is_active"])

    assert client.get(f"/thu-tuc/{BIRTH}/mau/1/").status_code == 404


def test_new_form_shows_on_the_cached_page_at_once(
    demo, client, django_capture_on_commit_callbacks
) -> None:
    client.get(f"/thu-tuc/{MARRIAGE}/")  # the body is now cached
    requirement = _requirement(MARRIAGE, 2)
    assert "Tải mẫu" not in _rows(unescape(client.get(f"/thu-tuc/{MARRIAGE}/").content.decode()))[1]

    with django_capture_on_commit_callbacks(execute=True):
        saved = document_form_attach(
            actor=demo.user("quantri"),
            requirement=requirement,
            filename="Giấy tờ nơi cư trú.pdf",
            content=PDF,
        )

    row = _rows(unescape(client.get(f"/thu-tuc/{MARRIAGE}/").content.decode()))[1]
    assert f'href="/thu-tuc/{MARRIAGE}/mau/2/?v={saved.form_sha256[:12]}"' in row
    download = client.get(f"/thu-tuc/{MARRIAGE}/mau/2/")
    assert b"".join(download.streaming_content) == PDF

    with django_capture_on_commit_callbacks(execute=True):
        document_form_remove(actor=demo.user("quantri"), requirement=saved)

    row = _rows(unescape(client.get(f"/thu-tuc/{MARRIAGE}/").content.decode()))[1]
    assert "Tải mẫu" not in row
    assert client.get(f"/thu-tuc/{MARRIAGE}/mau/2/").status_code == 404


def test_form_link_is_a_plain_keyboard_reachable_link(demo, client) -> None:
    html = client.get(f"/thu-tuc/{BIRTH}/").content.decode()

    link = re.search(r'<a class="form-link"[^>]*>', html)
    assert link
    assert 'tabindex="-1"' not in link.group(0) and 'href="/thu-tuc/' in link.group(0)
    assert 'data-label="Mẫu"' in html  # the phone layout labels each cell


def test_download_costs_one_query(demo, client, django_assert_num_queries) -> None:
    requirement = _requirement()
    url = requirement.form_url

    with django_assert_num_queries(1):
        response = client.get(url)

    assert response.status_code == 200
