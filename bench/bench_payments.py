"""Payments: VNPAY IPN throughput and e-receipt PDF time.

IPN: BENCH_IPN_N pending online payments (each its own dossier of 8.000 đồng), then one
correctly signed success IPN each through GET /thanh-toan/vnpay/ipn with Django's test client
in-process on one thread: signature check, row locks, payment paid, receipt numbered (counter
upsert), dossier event and projection, three audit rows — one real transaction per IPN on the
bench database (a file in WAL mode on SQLite). Target: >= 200 IPNs/s on SQLite. The receipt's
PDF is not part of the IPN (it is rendered and sealed on first download, see below).

E-receipt: ``receipt_render`` for BENCH_RECEIPT_N receipts that have none yet: fpdf2 with the
cut-down DejaVu fonts, QR code, the agency seal when cqs.signing provides one, stored with its
audit row. Median per receipt; target <= 300 ms.
"""

from __future__ import annotations

import os
import statistics
import time

from bench._db import bench_database, engine
from bench.harness import Result, p


def run() -> list[Result]:
    n = int(os.environ.get("BENCH_IPN_N", "300"))
    m = int(os.environ.get("BENCH_RECEIPT_N", "30"))
    with bench_database():
        from django.conf import settings
        from django.test import Client

        from cqs.accounts.models import User
        from cqs.catalogue.models import Procedure
        from cqs.dossiers.services import Applicant, dossier_receive
        from cqs.dossiers.storage import Upload
        from cqs.payments import rules
        from cqs.payments.models import EReceipt, Payment
        from cqs.payments.services import payment_start, receipt_render
        from cqs.units.models import Agency

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        procedure = Procedure.objects.get(code="1.001193")
        officer = User.objects.get(username="tiepnhan")
        citizen = User.objects.get(username="congdan")
        desk = Agency.objects.get(code="001.00.20.H49")
        mandatory = [d.position for d in procedure.documents.all() if d.mandatory]
        payments = []
        for i in range(n + 10):
            dossier = dossier_receive(
                actor=officer,
                desk=desk,
                procedure=procedure,
                applicant=Applicant(
                    kind="citizen", name="Nguyễn Văn An", id_number="022090001234", user=citizen
                ),
                files=[
                    Upload(
                        filename=f"g{p}.pdf",
                        content=b"%PDF-1.4\n%%EOF\n" + f"{i}-{p}".encode(),
                        requirement=p,
                    )
                    for p in mandatory
                ],
            )
            payment, _ = payment_start(
                actor=citizen, code=dossier.code, client_ip="127.0.0.1", return_url="http://x/"
            )
            payments.append(payment)

        def signed(payment: Payment) -> dict[str, str]:
            params = {
                "vnp_Amount": str(payment.amount * 100),
                "vnp_BankCode": "NCB",
                "vnp_CardType": "ATM",
                "vnp_OrderInfo": f"Nop phi le phi ho so {payment.dossier.code}",
                "vnp_PayDate": rules.vnpay_time(payment.created_at),
                "vnp_ResponseCode": "00",
                "vnp_TmnCode": settings.CQS_VNPAY_TMN_CODE,
                "vnp_TransactionNo": f"{payment.pk:08d}",
                "vnp_TransactionStatus": "00",
                "vnp_TxnRef": payment.txn_ref,
            }
            params["vnp_SecureHash"] = rules.sign(params, settings.CQS_VNPAY_HASH_SECRET)
            return params

        client = Client()
        queries = [signed(pay) for pay in payments]
        for q in queries[:10]:  # warm-up
            assert client.get("/thanh-toan/vnpay/ipn", q).json()["RspCode"] == "00"
        start, cpu = time.perf_counter(), time.process_time()
        for q in queries[10:]:
            answer = client.get("/thanh-toan/vnpay/ipn", q).json()
            assert answer["RspCode"] == "00", answer
        ipn_rate = n / (time.perf_counter() - start)
        ipn_cpu_rate = n / (time.process_time() - cpu)
        assert Payment.objects.filter(status="paid").count() == n + 10

        receipts = list(EReceipt.objects.select_related("payment__dossier", "agency")[: m + 1])
        receipt_render(receipt=receipts[0])  # builds the cut-down fonts once per process
        samples, cpu_samples = [], []
        for receipt in receipts[1:]:
            t0, c0 = time.perf_counter(), time.process_time()
            pdf = receipt_render(receipt=receipt)
            samples.append(time.perf_counter() - t0)
            cpu_samples.append(time.process_time() - c0)
            assert pdf.startswith(b"%PDF")
    median_ms = 1000 * statistics.median(samples)
    # Wall-clock figures are the targets' measure; CPU time beside them shows how much of a
    # slow run was waiting for a shared, busy machine (os.getloadavg at the end of the run).
    print(
        f"  {n} IPNs at {ipn_rate:,.0f}/s wall, {ipn_cpu_rate:,.0f}/CPU-second; e-receipt median "
        f"{median_ms:.0f} ms wall (CPU {1000 * statistics.median(cpu_samples):.0f} ms), p95 "
        f"{1000 * p(samples, 0.95):.0f} ms ({engine()}, in-process test client, 1 thread, "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    return [
        Result(
            f"VNPAY IPN (signed, paid, receipt numbered), {engine()}", ipn_rate, 200, "IPN/s", True
        ),
        Result("E-receipt PDF render + seal + store, median", median_ms, 300, "ms", False),
    ]
