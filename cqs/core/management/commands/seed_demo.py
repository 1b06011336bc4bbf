"""Build the demo province: Quảng Ninh, three real communes, agencies, officials, citizens and
the procedure catalogue. Idempotent: a second run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cqs.accounts.models import User, UserKind
from cqs.accounts.rules import ROLE_LABELS, Role
from cqs.accounts.services import (
    role_assign,
    user_create_citizen,
    user_create_official,
    user_set_password,
    user_set_staff,
)
from cqs.catalogue.services import catalogue_assign_agencies, catalogue_import
from cqs.units.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel
from cqs.units.services import agency_save, units_load_national

CATALOGUE_FILE = Path(settings.BASE_DIR) / "cqs" / "catalogue" / "fixtures" / "demo_catalogue.json"

PROVINCE_CODE = "22"  # Quảng Ninh (GSO code)
# (GSO commune code, agency-code group) — three real communes of Quảng Ninh after 1 July 2025.
COMMUNES = [("06688", "20"), ("06673", "21"), ("06895", "22")]

# Agency identifier codes follow QCVN 102:2016 (H49 is Quảng Ninh's level-1 group, Decision
# 3739/QĐ-UBND of 3 Nov 2016). Except 000.00.00.H49 they are demo codes: a real install loads
# the codes from the province's own decision.
PROVINCE_AGENCIES = [
    (
        "000.00.00.H49",
        "Ủy ban nhân dân tỉnh Quảng Ninh",
        "UBND tỉnh",
        AgencyKind.PROVINCE_COMMITTEE,
        None,
    ),
    (
        "000.01.00.H49",
        "Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
        "TTPVHCC",
        AgencyKind.PUBLIC_SERVICE_CENTER,
        "000.00.00.H49",
    ),
    ("000.00.15.H49", "Sở Tư pháp tỉnh Quảng Ninh", "STP", AgencyKind.DEPARTMENT, "000.00.00.H49"),
    ("000.00.05.H49", "Sở Xây dựng tỉnh Quảng Ninh", "SXD", AgencyKind.DEPARTMENT, "000.00.00.H49"),
    (
        "000.00.07.H49",
        "Sở Tài chính tỉnh Quảng Ninh",
        "STC",
        AgencyKind.DEPARTMENT,
        "000.00.00.H49",
    ),
    (
        "000.00.09.H49",
        "Sở Nông nghiệp và Môi trường tỉnh Quảng Ninh",
        "SNNMT",
        AgencyKind.DEPARTMENT,
        "000.00.00.H49",
    ),
    ("000.00.11.H49", "Sở Nội vụ tỉnh Quảng Ninh", "SNV", AgencyKind.DEPARTMENT, "000.00.00.H49"),
    ("000.00.13.H49", "Sở Y tế tỉnh Quảng Ninh", "SYT", AgencyKind.DEPARTMENT, "000.00.00.H49"),
    ("000.00.17.H49", "Công an tỉnh Quảng Ninh", "CAT", AgencyKind.DEPARTMENT, "000.00.00.H49"),
]


def _commune_agencies(
    unit: AdministrativeUnit, group: str
) -> list[tuple[str, str, str, AgencyKind, str | None]]:
    committee = f"000.00.{group}.H49"
    kind_word = unit.name.split(" ")[0]  # Phường / Xã / Đặc khu
    short = unit.name
    return [
        (
            committee,
            f"Ủy ban nhân dân {short[0].lower() + short[1:]}",
            f"UBND {kind_word.lower()}",
            AgencyKind.COMMUNE_COMMITTEE,
            "000.00.00.H49",
        ),
        (
            f"001.00.{group}.H49",
            f"Bộ phận Một cửa {short[0].lower() + short[1:]}",
            "BPMC",
            AgencyKind.ONE_STOP_DESK,
            committee,
        ),
        (
            f"002.00.{group}.H49",
            f"Văn phòng HĐND và UBND {short[0].lower() + short[1:]}",
            "VP",
            AgencyKind.DIVISION,
            committee,
        ),
        (
            f"003.00.{group}.H49",
            f"Phòng Kinh tế {short[0].lower() + short[1:]}",
            "PKT",
            AgencyKind.DIVISION,
            committee,
        ),
        (
            f"004.00.{group}.H49",
            f"Phòng Văn hóa - Xã hội {short[0].lower() + short[1:]}",
            "PVHXH",
            AgencyKind.DIVISION,
            committee,
        ),
    ]


# username, full name, roles [(role, agency code)], extra
OFFICIALS: list[tuple[str, str, list[tuple[Role, str]], dict[str, Any]]] = [
    ("tiepnhan", "Nguyễn Thị Hoa", [(Role.RECEIVING_OFFICER, "001.00.20.H49")], {}),
    ("xuly", "Trần Văn Minh", [(Role.PROCESSING_OFFICER, "000.00.20.H49")], {}),
    ("truongphong", "Lê Thị Thu", [(Role.HEAD_OF_DIVISION, "000.00.20.H49")], {}),
    ("lanhdao", "Phạm Quốc Hùng", [(Role.LEADER, "000.00.20.H49")], {}),
    ("vanthu", "Đỗ Thị Lan", [(Role.RECORDS_CLERK, "000.00.20.H49")], {}),
    ("quantri", "Vũ Đức Anh", [(Role.PROVINCE_ADMIN, "000.00.00.H49")], {"staff": True}),
    ("quantrixa", "Hoàng Văn Nam", [(Role.AGENCY_ADMIN, "000.00.21.H49")], {}),
    ("theodoi", "Bùi Thị Mai", [(Role.DASHBOARD_VIEWER, "000.00.00.H49")], {}),
    ("tiepnhan2", "Đặng Văn Long", [(Role.RECEIVING_OFFICER, "001.00.21.H49")], {}),
]
CITIZENS: list[dict[str, Any]] = [
    {
        "username": "congdan",
        "full_name": "Nguyễn Văn An",
        "id_number": "022090001234",
        "email": "congdan@example.invalid",
        "phone": "0912345678",
        "kind": UserKind.CITIZEN,
    },
    {
        "username": "doanhnghiep",
        "full_name": "Trần Thị Bình",
        "organization_name": "Công ty TNHH Thương mại Hạ Long Xanh",
        "tax_code": "5701234566",  # valid check digit (accounts.rules.parse_tax_code)
        "email": "doanhnghiep@example.invalid",
        "kind": UserKind.BUSINESS,
    },
]


def _result_pdf(dossier: Any) -> bytes:
    """A real one-page result PDF (DejaVu), so the demo leader can sign it (cqs.signing)."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_font("DejaVu", "", str(Path(settings.CQS_PDF_FONT_DIR) / "DejaVuSans.ttf"))
    doc.add_page()
    doc.set_font("DejaVu", size=13)
    doc.multi_cell(
        0,
        8,
        f"KẾT QUẢ GIẢI QUYẾT HỒ SƠ {dossier.code}\n{dossier.procedure.name}\n"
        "(Văn bản trình diễn — KHÔNG DÙNG THẬT)",
    )
    return bytes(doc.output())


class Command(BaseCommand):
    help = "Load the demo province (Quảng Ninh) with agencies, demo accounts and the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-accounts", action="store_true", help="do not print accounts")
        parser.add_argument(
            "--dossiers",
            action="store_true",
            help="also create a few demo dossiers at the first commune (once)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo is refused when CQS_ENV=production.")
        password = settings.CQS_DEMO_PASSWORD
        units = units_load_national(actor=None)
        with transaction.atomic():
            self._agencies()
            self._accounts(password)
        report = catalogue_import(actor=None, entries=json.loads(CATALOGUE_FILE.read_text("utf-8")))
        if report.errors:
            raise CommandError(f"demo catalogue has invalid entries: {report.errors}")
        linked = catalogue_assign_agencies(actor=None)
        from cqs.catalogue.demo_forms import demo_forms_attach

        forms = demo_forms_attach(actor=None)  # blank PDF forms (tờ khai, đơn), generated once
        from cqs.signing.certificates import pki_init

        pki_init(actor=None)  # demo root CA, agency seals, leaders' certificates (KHÔNG DÙNG THẬT)
        from cqs.documents.services import ensure_document_types

        ensure_document_types()  # Decree 30 document types (also after a test flush)
        made = self._dossiers() if options["dossiers"] else 0
        from cqs.dashboard.services import dx_plan_seed_demo

        dx_plan_seed_demo(actor=None)  # the DX plan's 24 targets in 3 pillars (once)
        self.stdout.write(
            f"Đơn vị hành chính: +{units.provinces_created} tỉnh, +{units.communes_created} xã. "
            f"Thủ tục: +{len(report.created)} mới, {len(report.updated)} cập nhật, "
            f"{len(report.unchanged)} không đổi; gán cơ quan cho {linked} thủ tục; "
            f"+{forms} mẫu đơn, tờ khai; "
            f"hồ sơ mẫu: +{made}."
        )
        if not options["quiet_accounts"]:
            self._print_accounts(password)

    def _agencies(self) -> None:
        province = AdministrativeUnit.objects.get(
            level=UnitLevel.PROVINCE, code=PROVINCE_CODE, valid_until__isnull=True
        )
        rows = list(PROVINCE_AGENCIES)
        unit_of: dict[str, AdministrativeUnit] = {code: province for code, *_ in rows}
        for commune_code, group in COMMUNES:
            commune = AdministrativeUnit.objects.get(
                level=UnitLevel.COMMUNE, code=commune_code, valid_until__isnull=True
            )
            for row in _commune_agencies(commune, group):
                rows.append(row)
                unit_of[row[0]] = commune
        for code, name, short, kind, parent_code in rows:
            parent = Agency.objects.get(code=parent_code) if parent_code else None
            agency_save(
                actor=None,
                code=code,
                name=name,
                short_name=short,
                kind=kind,
                unit=unit_of[code],
                parent=parent,
            )

    def _accounts(self, password: str) -> None:
        for username, full_name, roles, extra in OFFICIALS:
            user = User.objects.filter(username=username).first()
            role_objs = [(role, Agency.objects.get(code=code)) for role, code in roles]
            if user is None:
                user = user_create_official(
                    actor=None,
                    username=username,
                    full_name=full_name,
                    email=f"{username}@example.invalid",
                    password=password,
                    roles=role_objs,
                    is_demo=True,
                    check_password=False,
                )
            else:
                for role, agency in role_objs:
                    role_assign(actor=None, user=user, role=role, agency=agency)
                if not user.check_password(password):
                    user_set_password(actor=None, user=user, password=password)
            if extra.get("staff") and not (user.is_staff and user.is_superuser):
                user_set_staff(actor=None, user=user, staff=True)
        for data in CITIZENS:
            user = User.objects.filter(username=data["username"]).first()
            if user is None:
                user_create_citizen(
                    actor=None, password=password, is_demo=True, check_password=False, **data
                )
            elif not user.check_password(password):
                user_set_password(actor=None, user=user, password=password)

    def _dossiers(self) -> int:
        """A handful of live dossiers at Phường Hạ Long in different states, made through
        the same services officials use. Created once: skipped when the desk has dossiers."""
        from cqs.catalogue.models import Procedure
        from cqs.dossiers.models import Dossier
        from cqs.dossiers.services import Applicant, dossier_act, dossier_receive
        from cqs.dossiers.storage import Upload

        desk = Agency.objects.get(code="001.00.20.H49")
        if Dossier.objects.filter(desk=desk).exists():
            return 0
        users = {u.username: u for u in User.objects.filter(is_demo=True)}
        pdf = b"%PDF-1.4\n% CQS demo scan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        people = [
            ("Nguyễn Văn An", "022090001234", "0912345678"),
            ("Trần Thị Bích", "022195004321", "0987654321"),
            ("Lê Minh Châu", "022201007788", "0934567890"),
            ("Phạm Thu Dung", "022188003456", ""),
            ("Hoàng Quốc Em", "022093009876", "0901234567"),
        ]
        plan = [
            ("1.001193", []),
            ("1.000894", ["forward"]),
            ("2.000815", ["supplement"]),
            ("1.001612", ["forward", "result"]),
            ("1.001193", ["forward", "result", "return"]),
        ]
        made = 0
        for (name, cccd, phone), (code, steps) in zip(people, plan, strict=True):
            procedure = Procedure.objects.get(code=code)
            files = [
                Upload(f"{d.position}.pdf", pdf + bytes([d.position]), requirement=d.position)
                for d in procedure.documents.all()
                if d.mandatory
            ]
            owner = users["congdan"] if cccd == "022090001234" else None
            d = dossier_receive(
                actor=users["tiepnhan"],
                desk=desk,
                procedure=procedure,
                applicant=Applicant(
                    kind="citizen", name=name, id_number=cccd, phone=phone, user=owner
                ),
                files=files,
            )
            made += 1
            for step in steps:
                if step == "forward":
                    dossier_act(actor=users["xuly"], code=d.code, action="forward")
                elif step == "supplement":
                    dossier_act(
                        actor=users["xuly"],
                        code=d.code,
                        action="request_supplement",
                        reason="Bản sao chưa rõ nét",
                        missing=["Bản chính để đối chiếu"],
                    )
                elif step == "result":
                    dossier_act(
                        actor=users["lanhdao"],
                        code=d.code,
                        action="attach_result",
                        files=[Upload("ket-qua.pdf", _result_pdf(d), name="Kết quả giải quyết")],
                    )
                    dossier_act(actor=users["lanhdao"], code=d.code, action="approve")
                elif step == "return":
                    dossier_act(
                        actor=users["tiepnhan"],
                        code=d.code,
                        action="return_result",
                        method="counter",
                    )
        return made

    def _print_accounts(self, password: str) -> None:
        self.stdout.write("")
        self.stdout.write("Tài khoản trình diễn (mật khẩu chung: %s)" % password)
        self.stdout.write("  Đổi bằng biến môi trường CQS_DEMO_PASSWORD trước khi chạy make run.")
        for username, full_name, roles, _ in OFFICIALS:
            label = ", ".join(ROLE_LABELS[r] for r, _ in roles)
            self.stdout.write(f"  {username:<12} {full_name:<18} {label}")
        for data in CITIZENS:
            self.stdout.write(
                f"  {data['username']:<12} {data['full_name']:<18} {data['kind'].label}"
            )
        base = settings.CQS_PUBLIC_BASE_URL.rstrip("/")
        self.stdout.write(
            f"  Đăng nhập: {base}/dang-nhap/  ·  quản trị: {base}/quan-tri/, {base}/admin/"
        )
