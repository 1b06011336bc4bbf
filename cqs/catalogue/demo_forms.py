"""The demo catalogue's blank forms: generated at seed time (no binaries in the repository)
and attached through ``document_form_attach``, as an administrator would.

Which documents get one: those whose name starts with "Tờ khai" or "Đơn" and whose catalogue
form is a paper form (the e-forms of the national portal/VNeID have no file to print).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings

from cqs.catalogue.blank_forms import BlankForm, Line, render_blank_form
from cqs.catalogue.models import DocumentRequirement
from cqs.core.text import fold, nfc

_REQUESTER = (
    Line("Họ, chữ đệm, tên người yêu cầu"),
    Line("Số định danh cá nhân"),
    Line("Nơi cư trú"),
    Line("Số điện thoại, thư điện tử (nếu có)"),
)

# Circular 04/2020/TT-BTP, annex of forms, as replaced by Circular 04/2024/TT-BTP ("Tờ khai
# đăng ký khai sinh"; verify the form number in the gazette before citing it).
BIRTH = (
    *_REQUESTER,
    Line("Quan hệ với người được khai sinh"),
    Line("Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:", "heading"),
    Line("Họ, chữ đệm, tên"),
    Line("Ngày, tháng, năm sinh (ghi bằng chữ)"),
    Line("Giới tính"),
    Line("Dân tộc"),
    Line("Quốc tịch"),
    Line("Nơi sinh"),
    Line("Quê quán"),
    Line("Họ, chữ đệm, tên người mẹ"),
    Line("Năm sinh; dân tộc; quốc tịch của người mẹ"),
    Line("Nơi cư trú của người mẹ"),
    Line("Họ, chữ đệm, tên người cha"),
    Line("Năm sinh; dân tộc; quốc tịch của người cha"),
    Line("Nơi cư trú của người cha"),
)
BIRTH_PLEDGE = (
    "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa "
    "thuận nhất trí của các bên liên quan theo quy định pháp luật. Tôi chịu hoàn toàn trách "
    "nhiệm trước pháp luật về cam đoan của mình."
)
COPIES = (Line("Đề nghị cấp bản sao:  ☐ Có   ☐ Không;  số lượng: ........ bản", "text"),)

# Same annex: "Tờ khai đăng ký kết hôn", one column per party (verify the form number).
MARRIAGE = (
    Line("Họ, chữ đệm, tên"),
    Line("Ngày, tháng, năm sinh"),
    Line("Dân tộc"),
    Line("Quốc tịch"),
    Line("Nơi cư trú"),
    Line("Số định danh cá nhân"),
    Line("Kết hôn lần thứ mấy"),
)
MARRIAGE_PLEDGE = (
    "Chúng tôi cam đoan những lời khai trên đây là đúng sự thật, việc kết hôn của chúng tôi "
    "là tự nguyện, không vi phạm quy định của Luật Hôn nhân và gia đình Việt Nam. Chúng tôi "
    "chịu hoàn toàn trách nhiệm trước pháp luật về cam đoan của mình."
)

DECLARATION = (
    *_REQUESTER,
    Line("Nội dung đề nghị:", "heading"),
    Line("", "blank"),
    Line("", "blank"),
    Line("", "blank"),
    Line("Giấy tờ kèm theo:", "heading"),
    Line("", "blank"),
    Line("", "blank"),
)
PETITION = (
    Line("Tên tôi là (tên tổ chức)"),
    Line("Số định danh cá nhân (mã số doanh nghiệp, tổ chức)"),
    Line("Địa chỉ"),
    Line("Số điện thoại, thư điện tử"),
    Line("Nay tôi làm đơn này đề nghị:", "heading"),
    Line("", "blank"),
    Line("", "blank"),
    Line("", "blank"),
    Line("Lý do:", "heading"),
    Line("", "blank"),
    Line("", "blank"),
    Line("Giấy tờ kèm theo:", "heading"),
    Line("", "blank"),
    Line("", "blank"),
)
PLEDGE = (
    "Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu hoàn toàn trách nhiệm "
    "trước pháp luật về cam đoan của mình."
)


def needs_demo_form(name: str, form_name: str) -> bool:
    folded = fold(name)
    if not folded.startswith(("to khai", "don ")):
        return False
    return "dien tu" not in fold(form_name)  # e-forms on the national portal: nothing to print


def _title(name: str) -> str:
    """The form's title from the document's name: "Đơn đề nghị cấp lại giấy phép xây dựng,
    nêu rõ lý do" -> "Đơn đề nghị cấp lại giấy phép xây dựng"."""
    for cut in (" (", ", nêu rõ"):
        name = name.split(cut, maxsplit=1)[0]
    return name.strip()


def blank_form_for(name: str, form_name: str) -> BlankForm:
    title = _title(nfc(name))
    folded = fold(title)
    reference = form_name or title
    if folded == "to khai dang ky khai sinh":
        return BlankForm(title, reference, BIRTH, BIRTH_PLEDGE, extra=COPIES)
    if folded in {"to khai dang ky ket hon", "to khai dang ky lai ket hon"}:
        return BlankForm(
            title,
            reference,
            MARRIAGE,
            MARRIAGE_PLEDGE,
            columns=("Bên nữ", "Bên nam"),
            signers=("Bên nữ", "Bên nam"),
            extra=COPIES,
        )
    if folded.startswith("don"):
        return BlankForm(title, reference, PETITION, PLEDGE, signers=("Người làm đơn",))
    return BlankForm(title, reference, DECLARATION, PLEDGE, extra=COPIES)


@cache
def _render(name: str, form_name: str) -> bytes:
    # One rendering per distinct form per process: the birth declaration serves four
    # procedures, and the test suite seeds more than once.
    return render_blank_form(blank_form_for(name, form_name), font_dir=settings.CQS_PDF_FONT_DIR)


def demo_forms_attach(*, actor: Any = None) -> int:
    """Attach a generated blank form to every demo document that should have one and has
    none yet (idempotent). Returns how many were attached."""
    from cqs.catalogue.services import document_form_attach

    attached = 0
    todo = DocumentRequirement.objects.filter(form_file="").select_related("procedure")
    for requirement in todo.order_by("procedure__code", "position"):
        if not needs_demo_form(requirement.name, requirement.form_name):
            continue
        content = _render(requirement.name, requirement.form_name)
        document_form_attach(
            actor=actor,
            requirement=requirement,
            filename=f"{_title(requirement.name)}.pdf",
            content=content,
        )
        attached += 1
    return attached
