"""English is really available (rule 7: Vietnamese by default, English on request).

The catalogue tests fail when `make messages` was run but a message has no English (or only a
guessed "fuzzy" one, which gettext ignores), or when the committed .mo file was not compiled
from the current .po file. The page tests switch the language as a visitor does.
"""

from __future__ import annotations

import gettext
import re
from html import unescape

import pytest

from cqs.locale import translate_en

PO_PATH = translate_en.PO_PATH
MO_PATH = PO_PATH.with_suffix(".mo")


def _messages() -> list[translate_en.Entry]:
    entries = translate_en.parse_po(PO_PATH.read_text("utf-8"))
    return [e for e in entries if not e.obsolete and e.msgid]


def test_the_catalogue_is_not_empty() -> None:
    # Guards the tests below against passing on a parser that finds nothing.
    assert len(_messages()) > 500


def test_every_message_has_an_english_translation() -> None:
    missing = [e.msgid for e in _messages() if not e.msgstr or not all(e.msgstr)]
    # gettext ignores fuzzy entries (makemessages' guesses) at run time.
    fuzzy = [e.msgid for e in _messages() if e.fuzzy]

    assert (missing, fuzzy) == ([], []), (
        "add them to EN in cqs/locale/translate_en.py, run `make messages`"
    )


def test_translations_keep_placeholders_and_html() -> None:
    wrong = [
        (e.msgid, text)
        for e in _messages()
        for text in e.msgstr
        if translate_en.placeholders(e.msgid_plural or e.msgid) != translate_en.placeholders(text)
    ]

    assert wrong == []


def test_the_compiled_catalogue_has_every_message_of_the_po_file() -> None:
    with MO_PATH.open("rb") as f:
        compiled = gettext.GNUTranslations(f)

    stale = []
    for e in _messages():
        if e.msgid_plural is None:
            got = [compiled.gettext(e.msgid)]
        else:
            got = [compiled.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
        if got != e.msgstr:
            stale.append((e.msgid, got, e.msgstr))

    assert stale == [], "django.mo is older than django.po: run `make messages`"


# --- pages -----------------------------------------------------------------------------------

# The labels of the portal's header, footer and skip link, in Vietnamese.
VIETNAMESE_NAVIGATION = [
    "Bỏ qua, đến nội dung chính",
    "Cổng dịch vụ công",
    "Trang chủ",
    "Thủ tục hành chính",
    "Tra cứu hồ sơ",
    "Phản ánh hiện trường",
    "Thống kê",
    "Xác thực chữ ký số",
    "Đăng nhập",
    "Đường dây nóng",
    "Ngôn ngữ",
]
ENGLISH_NAVIGATION = [
    "Skip to main content",
    "Public service portal",
    "Home",
    "Procedures",
    "Track a dossier",
    "Field reports",
    "Statistics",
    "Verify digital signatures",
    "Log in",
    "Hotline",
    "Language",
]


def _text(response) -> str:
    """The visible text of a page: scripts, styles and tags removed, white space collapsed."""
    html = unescape(response.content.decode())
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


PAGES = {
    "/": "Find administrative procedures, submit dossiers and follow their results",
    "/thu-tuc/": "Keywords",
    "/dang-nhap/": "No account yet?",
    "/tra-cuu/": "Track a dossier",
}


@pytest.mark.parametrize(("path", "english"), PAGES.items())
def test_a_visitor_who_chose_english_sees_english(demo, client, path, english):
    client.cookies["django_language"] = "en"

    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    text = _text(response)
    assert english in text
    for label in ENGLISH_NAVIGATION:
        assert label in text, label
    for label in VIETNAMESE_NAVIGATION:
        assert label not in text, label


def test_the_language_switch_in_the_footer_changes_the_pages(demo, client):
    home = client.get("/")
    assert "Trang chủ" in _text(home), "Vietnamese is the default"
    assert 'name="language"' in home.content.decode()

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/thu-tuc/"}, follow=True)

    assert switched.redirect_chain[-1][0] == "/thu-tuc/"
    text = _text(switched)
    assert re.search(r"Found \d+ procedures\.", text)
    assert "Trang chủ" not in text
    assert "Từ khóa" not in text

    back = client.post("/i18n/setlang/", {"language": "vi", "next": "/"}, follow=True)
    assert "Trang chủ" in _text(back)
    assert "Skip to main content" not in _text(back)


def test_an_official_can_use_the_back_office_in_english(demo, client):
    client.force_login(demo.user("tiepnhan"))
    client.cookies["django_language"] = "en"

    text = _text(client.get("/quan-tri/"))

    assert "Hello, " in text
    assert "Log out" in text
    assert "Xin chào" not in text
    assert "Đăng xuất" not in text


def test_procedure_counts_agree_in_number_in_english(demo, client):
    """'1 procedure', '46 procedures': counted phrases use the catalogue's plural forms."""
    import re

    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    counts = re.findall(r"(\d+)(?:</strong>)? (procedures?)\b", html)
    assert counts, html[:500]
    assert all((n == "1") == (word == "procedure") for n, word in counts), counts
