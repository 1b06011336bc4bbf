"""Virtual assistant: the evaluation set's accuracy and the latency per question on a
2,000-procedure catalogue (the 46 demo procedures plus 1,954 synthetic ones, generated here,
in the benchmark's own throwaway database)."""

from __future__ import annotations

import random
from decimal import Decimal

from bench._db import bench_database, engine
from bench.harness import Result, p

SYNTHETIC = 1954
ACTIONS = [
    "Cấp",
    "Cấp lại",
    "Gia hạn",
    "Điều chỉnh",
    "Thu hồi",
    "Công bố",
    "Phê duyệt",
    "Thẩm định",
    "Xác nhận",
    "Đăng ký",
]
OBJECTS = [
    "giấy phép khai thác khoáng sản",
    "chứng chỉ hành nghề dược",
    "giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
    "giấy phép hoạt động bến thủy nội địa",
    "giấy phép biểu diễn nghệ thuật",
    "giấy phép xả thải vào nguồn nước",
    "chứng nhận đạt chuẩn quốc gia trường mầm non",
    "giấy phép kinh doanh dịch vụ lữ hành nội địa",
    "giấy phép hoạt động điện lực",
    "phương án phòng cháy chữa cháy",
    "giấy chứng nhận đăng ký hoạt động khoa học công nghệ",
    "kế hoạch bảo vệ môi trường",
    "giấy phép sử dụng tần số vô tuyến điện",
    "chứng chỉ hành nghề kiến trúc",
    "giấy phép thành lập cơ sở trợ giúp xã hội",
    "quyết định công nhận làng nghề",
    "giấy phép khai thác thủy sản",
    "giấy chứng nhận cơ sở giết mổ gia súc",
    "giấy phép tổ chức lễ hội",
    "chứng nhận vùng trồng",
]
SUBJECTS = [
    "đối với tổ chức",
    "đối với cá nhân",
    "cho doanh nghiệp nhỏ và vừa",
    "cho hợp tác xã",
    "cho cơ sở y tế tư nhân",
    "tại khu kinh tế",
    "trong khu công nghiệp",
    "cho đơn vị sự nghiệp công lập",
    "cho hộ gia đình ven biển",
    "cho cơ sở giáo dục",
]


def _synthesise() -> None:
    from cqs.catalogue.models import DocumentRequirement, Procedure, Sector

    rng = random.Random(9)
    sectors = [
        Sector.objects.get_or_create(
            code=f"bench-{i}", defaults={"name": f"Lĩnh vực tổng hợp {i}"}
        )[0]
        for i in range(20)
    ]
    procedures = []
    for i in range(SYNTHETIC):
        name = f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} {rng.choice(SUBJECTS)} (mẫu {i})"
        procedures.append(
            Procedure(
                code=f"9.{i:06d}",
                name=name,
                sector=rng.choice(sectors),
                level="province",
                implementing_agency="Sở chuyên ngành",
                agency_kind="department",
                time_limit_value=Decimal(rng.choice([5, 10, 15, 20])),
                time_limit_unit="working_days",
                fees=[{"name": "Phí thẩm định", "amount": rng.choice([0, 100000, 500000])}],
                submission_channels=["counter", "online"],
                online_level=rng.choice(["full", "partial", "none"]),
                results=[name.split(" (", maxsplit=1)[0]],
                search_text=name.lower(),
            )
        )
    Procedure.objects.bulk_create(procedures, batch_size=500)
    docs = [
        DocumentRequirement(procedure=p, position=k, name=f"Giấy tờ số {k} của hồ sơ")
        for p in Procedure.objects.filter(code__startswith="9.")
        for k in (1, 2, 3)
    ]
    DocumentRequirement.objects.bulk_create(docs, batch_size=2000)


def run() -> list[Result]:
    with bench_database(seed=True):
        from django.test import Client

        from cqs.assistant.evaluation import evaluate
        from cqs.catalogue.models import Procedure

        _synthesise()
        count = Procedure.objects.filter(is_active=True).count()
        client = Client()

        class _Answer:
            def __init__(self, body: dict[str, object]) -> None:
                self.confident = body["confident"]
                self.sources = body["sources"]

        def ask(q: str) -> _Answer:
            return _Answer(client.get("/api/v1/assistant/ask", {"q": q}).json())

        ask("khởi tạo chỉ mục")  # the first question builds the index; not a sample
        report = evaluate(ask)
    label = f"({count:,} thủ tục, {engine()})"
    return [
        Result(f"assistant top-1 accuracy {label}", report.top1 * 100, 75, "%", True),
        Result(f"assistant top-3 accuracy {label}", report.top3 * 100, 90, "%", True),
        Result("assistant refusal accuracy (out of scope)", report.refusals * 100, 90, "%", True),
        Result(
            "assistant GET /api/v1/assistant/ask p95",
            p(report.latencies, 0.95) * 1000,
            50,
            "ms",
            False,
        ),
    ]
