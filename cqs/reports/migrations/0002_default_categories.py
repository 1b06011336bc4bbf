"""The five categories of the province's field-report service (Hạ Long Smart, Di Linh)."""

from django.db import migrations

CATEGORIES = [
    ("trat-tu-xay-dung", "Trật tự xây dựng", "Xây dựng không phép, sai phép, lấn chiếm", 10, "working_days",
     [{"code": "cong_trinh", "datatype": "singlevaluelist", "description": "Loại công trình", "required": False,
       "values": [{"key": "nha_o", "name": "Nhà ở"}, {"key": "cong_trinh_khac", "name": "Công trình khác"}]}]),
    ("trat-tu-do-thi", "Trật tự đô thị", "Lấn chiếm vỉa hè, rác thải, chiếu sáng, hạ tầng hư hỏng", 5, "working_days", []),
    ("an-toan-giao-thong", "An toàn giao thông", "Ổ gà, biển báo, đèn tín hiệu, điểm đen tai nạn", 3, "working_days", []),
    ("an-ninh-trat-tu", "An ninh trật tự", "Gây rối, tụ tập, tệ nạn (không thay cho gọi 113)", 24, "working_hours", []),
    ("moi-truong", "Môi trường", "Ô nhiễm nước, không khí, tiếng ồn, xả thải", 5, "working_days",
     [{"code": "muc_do", "datatype": "singlevaluelist", "description": "Mức độ ảnh hưởng", "required": False,
       "values": [{"key": "thap", "name": "Thấp"}, {"key": "cao", "name": "Cao"}]}]),
]
TEMPLATE = (
    "Tiếp nhận phản ánh của ông/bà, {agency} đã kiểm tra hiện trường và xử lý: ... "
    "Cảm ơn ông/bà đã đồng hành cùng chính quyền."
)


def forwards(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    AnswerTemplate = apps.get_model("reports", "AnswerTemplate")
    for position, (code, name, description, value, unit, attributes) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "group": "Phản ánh hiện trường",
                "deadline_value": value,
                "deadline_unit": unit,
                "attributes": attributes,
                "position": position,
            },
        )
        AnswerTemplate.objects.get_or_create(
            category=category, title="Đã xử lý xong", defaults={"body": TEMPLATE}
        )
        AnswerTemplate.objects.get_or_create(
            category=category,
            title="Chuyển cơ quan có thẩm quyền",
            defaults={"body": "Nội dung phản ánh không thuộc thẩm quyền; đã chuyển đến ... để xử lý."},
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
