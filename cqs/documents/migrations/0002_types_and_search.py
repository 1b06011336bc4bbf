"""Document types of Decree 30/2020 Appendix III (data, with a short drafting template each),
and the full-text index: an FTS5 table on SQLite, a GIN index on PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# (abbreviation, name) — Decree 30/2020/NĐ-CP Appendix III; "CV" is our key for công văn,
# which has no abbreviation of its own (its notation uses the agency's and unit's).
TYPES = [
    ("NQ", "Nghị quyết"), ("QĐ", "Quyết định"), ("CT", "Chỉ thị"), ("QC", "Quy chế"),
    ("QyĐ", "Quy định"), ("TC", "Thông cáo"), ("TB", "Thông báo"), ("HD", "Hướng dẫn"),
    ("CTr", "Chương trình"), ("KH", "Kế hoạch"), ("PA", "Phương án"), ("ĐA", "Đề án"),
    ("DA", "Dự án"), ("BC", "Báo cáo"), ("BB", "Biên bản"), ("TTr", "Tờ trình"),
    ("HĐ", "Hợp đồng"), ("CĐ", "Công điện"), ("BGN", "Bản ghi nhớ"), ("BTT", "Bản thỏa thuận"),
    ("GUQ", "Giấy ủy quyền"), ("GM", "Giấy mời"), ("GGT", "Giấy giới thiệu"),
    ("GNP", "Giấy nghỉ phép"), ("PG", "Phiếu gửi"), ("PC", "Phiếu chuyển"), ("PB", "Phiếu báo"),
]
TEMPLATES = {
    "QĐ": (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n"
        "Căn cứ ...;\n"
        "Theo đề nghị của ...\n\n"
        "QUYẾT ĐỊNH:\n\n"
        "Điều 1. {trich_yeu}.\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\n"
        "Điều 3. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị liên quan chịu trách nhiệm "
        "thi hành Quyết định này."
    ),
    "KH": "I. MỤC ĐÍCH, YÊU CẦU\n...\nII. NỘI DUNG: {trich_yeu}\n...\nIII. TỔ CHỨC THỰC HIỆN\n...",
    "TB": "Thông báo về việc {trich_yeu} như sau:\n...",
    "BC": "Thực hiện ..., báo cáo về {trich_yeu} như sau:\nI. KẾT QUẢ\n...\nII. KIẾN NGHỊ\n...",
    "GM": "Kính mời ... dự cuộc họp về {trich_yeu}.\nThời gian: ...\nĐịa điểm: ...",
    "CV": "Kính gửi: ...\n\nVề việc {trich_yeu}, ... đề nghị ...\n\nTrân trọng./.",
}


def load(apps: Any, schema_editor: Any) -> None:
    DocumentType = apps.get_model("documents", "DocumentType")
    for position, (abbr, name) in enumerate([*TYPES, ("CV", "Công văn")], start=1):
        DocumentType.objects.update_or_create(
            abbreviation=abbr,
            defaults={"name": name, "is_letter": abbr == "CV", "position": position,
                      "template": TEMPLATES.get(abbr, "")},
        )


def search_index(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS documents_search USING fts5("
            "body, tokenize = 'unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS documents_document_search_gin ON documents_document "
            "USING GIN (to_tsvector('simple', search_text))"
        )


def drop_search_index(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS documents_search")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS documents_document_search_gin")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(search_index, drop_search_index),
    ]
