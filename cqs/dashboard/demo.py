"""Demo DX plan: 24 targets in 3 pillars, as the districts of the seed articles set them
(shared/seeds: Đầm Hà's "24 mục tiêu … chính quyền số, kinh tế số, xã hội số"; the figures
are Quảng Ninh's and Di Linh's published targets)."""

from __future__ import annotations

from datetime import date

P = "000.00.00.H49"  # UBND tỉnh
CENTRE = "000.01.00.H49"  # Trung tâm Phục vụ hành chính công
JUSTICE, BUILD, FIN, AGRI, HOME, HEALTH, POLICE = (
    "000.00.15.H49",
    "000.00.05.H49",
    "000.00.07.H49",
    "000.00.09.H49",
    "000.00.11.H49",
    "000.00.13.H49",
    "000.00.17.H49",
)
HA_LONG, BAI_CHAY, DAM_HA = "000.00.20.H49", "000.00.21.H49", "000.00.22.H49"
Y = 2026
END = date(Y, 12, 31)  # targets run from 1 January of their deadline year

# code, pillar, name, metric ("" = reported), unit, baseline, target, owner, deadline
TARGETS: list[tuple[str, str, str, str, str, str, str, str, date]] = [
    ("CQS-01", "government", "TTHC đủ điều kiện cung cấp trực tuyến toàn trình", "procedures_full_online", "%", "81", "95.9", CENTRE, END),
    ("CQS-02", "government", "Hồ sơ TTHC nộp trực tuyến", "dossiers_online", "%", "60", "80", CENTRE, END),
    ("CQS-03", "government", "Hồ sơ TTHC giải quyết đúng hạn", "dossiers_on_time", "%", "95", "98", P, END),
    ("CQS-04", "government", "Hồ sơ có phí, lệ phí thanh toán trực tuyến", "dossiers_paid_online", "%", "40", "70", FIN, END),
    ("CQS-05", "government", "Hồ sơ số hóa thành phần khi tiếp nhận", "dossiers_digitized", "%", "80", "100", CENTRE, END),
    ("CQS-06", "government", "Kết quả giải quyết TTHC cấp bản điện tử", "results_electronic", "%", "85", "100", CENTRE, END),
    ("CQS-07", "government", "Kết quả giải quyết TTHC được ký số", "results_signed", "%", "50", "100", P, END),
    ("CQS-08", "government", "Hồ sơ công việc cấp tỉnh xử lý trên môi trường mạng", "documents_online", "%", "80", "90", HOME, END),
    ("CQS-09", "government", "Văn bản đi được ký số đầy đủ", "documents_signed", "%", "90", "100", HOME, END),
    ("CQS-10", "government", "Cơ quan nhà nước cung cấp dữ liệu mở", "", "%", "40", "100", P, END),
    ("CQS-11", "government", "Hồ sơ công việc cấp xã xử lý trên môi trường mạng", "", "%", "45", "60", DAM_HA, END),
    ("CQS-12", "government", "Dịch vụ kết nối qua Nền tảng tích hợp, chia sẻ dữ liệu (LGSP)", "", "dịch vụ", "37", "50", P, END),
    ("KTS-01", "economy", "Doanh nghiệp sử dụng hóa đơn điện tử", "", "%", "95", "100", FIN, END),
    ("KTS-02", "economy", "Doanh nghiệp trong khu công nghiệp ứng dụng công nghệ số", "", "%", "30", "50", BUILD, END),
    ("KTS-03", "economy", "Sản phẩm OCOP đưa lên sàn thương mại điện tử", "", "sản phẩm", "120", "200", AGRI, END),
    ("KTS-04", "economy", "Hộ kinh doanh thanh toán không dùng tiền mặt", "", "%", "50", "80", BAI_CHAY, END),
    ("KTS-05", "economy", "Giao dịch thanh toán phí, lệ phí qua cổng trực tuyến", "payments_online", "%", "40", "70", FIN, END),
    ("KTS-06", "economy", "Tỷ trọng kinh tế số trong GRDP", "", "%", "10", "20", P, date(Y - 1, 12, 31)),
    ("XHS-01", "society", "Người dân có tài khoản định danh điện tử mức 2", "", "%", "55", "80", POLICE, END),
    ("XHS-02", "society", "Hộ gia đình có đường truyền cáp quang băng rộng", "", "%", "80", "95", HA_LONG, END),
    ("XHS-03", "society", "Người dân có hồ sơ sức khỏe điện tử", "", "%", "60", "90", HEALTH, END),
    ("XHS-04", "society", "Thôn, khu phố có Tổ công nghệ số cộng đồng", "", "%", "70", "100", DAM_HA, END),
    ("XHS-05", "society", "Người trong độ tuổi lao động được phổ cập kỹ năng số", "", "%", "35", "70", HOME, END),
    ("XHS-06", "society", "Bản sao được chứng thực điện tử từ bản chính", "", "%", "5", "30", JUSTICE, END),
]  # fmt: skip

# code, value, note, link, reported on
REPORTS = [
    ("CQS-10", "85", "Đã công bố dữ liệu mở của 17/20 cơ quan.", "https://data.quangninh.gov.vn", date(Y, 10, 31)),
    ("CQS-11", "48", "Đầm Hà: phần mềm quản lý văn bản mới triển khai ở 6/9 xã.", "https://damha.quangninh.gov.vn", date(Y, 10, 15)),
    ("KTS-01", "100", "100% doanh nghiệp đang hoạt động dùng hóa đơn điện tử.", "https://quangninh.gdt.gov.vn", date(Y, 9, 30)),
    ("KTS-03", "150", "Đưa thêm 30 sản phẩm lên postmart.vn và voso.vn.", "https://postmart.vn", date(Y, 10, 20)),
    ("KTS-06", "14", "Ước tính của Cục Thống kê tỉnh năm trước.", "https://thongke.quangninh.gov.vn", date(Y - 1, 12, 31)),
    ("XHS-01", "78", "Công an tỉnh: hơn 760 nghìn tài khoản định danh điện tử.", "https://congan.quangninh.gov.vn", date(Y, 11, 1)),
    ("XHS-04", "72", "Đầm Hà: 47/65 thôn có Tổ công nghệ số cộng đồng.", "https://damha.quangninh.gov.vn", date(Y, 8, 31)),
]  # fmt: skip

# description, target, who must act, since
BLOCKERS = [
    ("Phần mềm một cửa chưa kết nối Cơ sở dữ liệu hộ tịch điện tử, phải nhập lại dữ liệu.", "CQS-05", JUSTICE, date(Y, 6, 1)),
    ("Thiếu kinh phí kéo cáp quang đến 12 thôn vùng cao của Đầm Hà.", "XHS-02", FIN, date(Y, 4, 15)),
    ("Chứng thư số của lãnh đạo một số xã hết hạn, chưa được cấp lại.", "CQS-07", P, date(Y, 9, 10)),
]  # fmt: skip
