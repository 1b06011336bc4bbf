from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from cqs.catalogue.models import Procedure
from cqs.dossiers.services import Applicant, dossier_receive
from cqs.dossiers.tests.conftest import mandatory_uploads
from cqs.payments import rules

BIRTH = "1.001193"  # Đăng ký khai sinh: 8.000 đồng (copy fee) in the demo catalogue
FREE = "1.000894"  # Đăng ký kết hôn: no fee


@pytest.fixture
def citizen_dossier(demo: Any) -> Any:
    """A birth-registration dossier received at Phường Hạ Long for the demo citizen."""

    def _make(code: str = BIRTH, **kw: Any) -> Any:
        user = demo.user("congdan")
        applicant = Applicant(
            kind="citizen",
            name="Nguyễn Văn An",
            id_number="022090001234",
            phone="0912345678",
            address="Phường Hạ Long, Quảng Ninh",
            user=user,
        )
        procedure = Procedure.objects.get(code=code)
        return dossier_receive(
            actor=demo.user("tiepnhan"),
            desk=demo.agency("001.00.20.H49"),
            procedure=procedure,
            applicant=applicant,
            files=mandatory_uploads(procedure),
            **kw,
        )

    return _make


def gateway_result(payment: Any, *, success: bool = True, **override: str) -> dict[str, str]:
    """What VNPAY sends to the IPN for ``payment``, signed with the merchant secret."""
    params = {
        "vnp_Amount": str(payment.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": f"Nop phi le phi ho so {payment.dossier.code}",
        "vnp_PayDate": "20260105103000",
        "vnp_ResponseCode": "00" if success else "24",
        "vnp_TmnCode": settings.CQS_VNPAY_TMN_CODE,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00" if success else "02",
        "vnp_TxnRef": payment.txn_ref,
    }
    params.update(override)
    params["vnp_SecureHash"] = rules.sign(params, settings.CQS_VNPAY_HASH_SECRET)
    return params
