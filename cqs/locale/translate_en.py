"""Fill cqs/locale/en/LC_MESSAGES/django.po from the tables below (`make messages` runs it
between makemessages and compilemessages).

Vietnamese is the source language of the UI; English is the second language. To translate a new
string, add it to `EN` (or `PLURALS` for `{% blocktranslate count %}` / `ngettext`) in the group of
its app, keeping every placeholder (`%(name)s`, `%%`) and HTML tag exactly. The script prints how
many messages still have no English and lists them; it exits 1 when a translation changes a
placeholder (and, with `--check`, when a message has no English).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

EN = {
    # --- Accounts: login (templates/accounts/) ----------------------------------------------------
    "Tạm khóa đăng nhập": "Login temporarily locked",
    "Đăng nhập": "Log in",
    "Đăng nhập hệ thống quản trị": "Log in to the back office",
    "Cán bộ, công chức và người dân dùng chung trang đăng nhập này.": "Officials and citizens use this same login page.",
    # --- Back office: agencies, audit log (templates/backoffice/) ---------------------------------
    "Cơ quan": "Agencies",
    "Cơ quan trong phạm vi của bạn": "Agencies in your scope",
    "Mã định danh": "Identifier code",
    "Tên cơ quan": "Agency name",
    "Loại": "Kind",
    "Cơ quan cấp trên": "Parent agency",
    "Địa bàn": "Area",
    "Không có cơ quan nào.": "No agencies.",
    "Nhật ký hệ thống": "Audit log",
    "Thao tác bắt đầu bằng": "Action starts with",
    "Lọc": "Filter",
    "Thời điểm": "Time",
    "Người thực hiện": "Actor",
    "Thao tác": "Action",
    "Đối tượng": "Object",
    "Mã băm": "Hash",
    # --- Back-office layout and navigation (templates/backoffice/base.html) -----------------------
    "Hệ thống một cửa điện tử": "One-stop e-office",
    "Tỉnh %(PROVINCE_NAME)s": "%(PROVINCE_NAME)s province",
    "Đăng xuất": "Log out",
    "Chức năng": "Functions",
    "Bàn làm việc": "Desk",
    "Danh mục thủ tục": "Procedure catalogue",
    "Lịch làm việc": "Working calendar",
    "Quản trị danh mục (admin)": "Reference data (admin)",
    "Cổng dịch vụ công": "Public service portal",
    # --- Working calendar (templates/backoffice/calendar) -----------------------------------------
    "Giờ làm việc": "Working hours",
    "Ví dụ: hồ sơ tiếp nhận lúc": "Example: a dossier received at",
    "với thời hạn 5 ngày làm việc có hẹn trả lúc": "with a 5-working-day limit is due at",
    "Ngày nghỉ, ngày làm bù sắp tới (120 ngày)": "Days off and make-up days ahead (120 days)",
    "làm việc": "working",
    "Không có.": "None.",
    "Thêm điều chỉnh theo quyết định của Chính phủ": "Add a change decided by the government",
    "Lưu": "Save",
    "Các điều chỉnh đã nhập": "Changes entered",
    "Ngày": "Day",
    "Lý do": "Reason",
    "Làm bù": "Make-up working day",
    "Nghỉ": "Day off",
    "Xóa": "Delete",
    "Chưa có điều chỉnh nào.": "No changes yet.",
    # --- Procedure catalogue: import, export, search (catalogue/) ---------------------------------
    "Danh mục thủ tục hành chính": "Administrative procedure catalogue",
    "Xuất JSON": "Export JSON",
    "Xuất Excel": "Export Excel",
    "Nhập danh mục": "Import catalogue",
    "Nhập": "Import",
    "Các mục bị lỗi (không được nhập)": "Entries with errors (not imported)",
    "Mục": "Entry",
    "Tìm thủ tục": "Find a procedure",
    "Tìm": "Search",
    "Mã": "Code",
    "Tên thủ tục": "Procedure",
    "Lĩnh vực": "Sector",
    "Cấp": "Level",
    "Thời hạn": "Time limit",
    "Trực tuyến": "Online",
    # --- Back-office desk (templates/backoffice/home.html) ----------------------------------------
    "Xin chào, %(name)s": "Hello, %(name)s",
    "Ngày làm việc": "Working day",
    "Ngày nghỉ": "Day off",
    "Vai trò của bạn": "Your roles",
    "Cơ quan trong phạm vi": "Agencies in scope",
    "Xem tất cả %(n)s cơ quan": "See all %(n)s agencies",
    "Lối tắt": "Shortcuts",
    "Quản lý danh mục thủ tục (nhập, xuất)": "Manage the procedure catalogue (import, export)",
    "Tra cứu danh mục thủ tục": "Browse the procedure catalogue",
    "Lịch làm việc, ngày nghỉ": "Working calendar, days off",
    # --- Site layout, errors, pagination (templates/base.html, errors) ----------------------------
    "Bỏ qua, đến nội dung chính": "Skip to main content",
    "%(SITE_NAME)s tỉnh %(PROVINCE_NAME)s": "%(SITE_NAME)s of %(PROVINCE_NAME)s province",
    "Đường dây nóng": "Hotline",
    "Ngôn ngữ": "Language",
    "Đổi": "Change",
    "Lỗi": "Error",
    "Không tìm thấy": "Not found",
    "Không có quyền truy cập": "Access denied",
    "Xung đột dữ liệu": "Conflict",
    "Không thực hiện được": "Could not be done",
    "Về trang chủ": "Back to the home page",
    "Phân trang": "Pages",
    "Trước": "Previous",
    "Trang %(n)s/%(total)s": "Page %(n)s of %(total)s",
    "Sau": "Next",
    # --- Public portal: home, procedures, citizen page (templates/portal/) ------------------------
    "Điều hướng chính": "Main navigation",
    "Trang chủ": "Home",
    "Thủ tục hành chính": "Procedures",
    "Trang cá nhân": "My page",
    "Thông tin tài khoản": "Account",
    "Loại tài khoản": "Account type",
    "Số định danh cá nhân": "Personal ID number",
    "Thư điện tử": "E-mail",
    "Số điện thoại": "Phone",
    "Tra cứu thủ tục": "Find a procedure",
    "Dịch vụ công trực tuyến": "Online public services",
    "Ví dụ: đăng ký khai sinh, dang ky ket hon…": "E.g. birth registration, đăng ký kết hôn…",
    "Tìm kiếm": "Search",
    "thủ tục": "procedures",
    "dịch vụ công trực tuyến toàn trình": "full-online services",
    "Chưa có thủ tục nào được công bố.": "No procedure has been published yet.",
    "Vị trí": "Location",  # also the breadcrumbs' aria-label (same msgid)
    "Cơ quan thực hiện": "Implementing agency",
    "Thời hạn giải quyết": "Time limit",
    "Phí, lệ phí": "Fees and charges",
    "Miễn phí": "Free",
    "Không thu phí, lệ phí": "No fee or charge",
    "Cách thức thực hiện": "How to submit",
    "Trực tiếp tại Bộ phận Một cửa": "In person at the one-stop desk",
    "Qua dịch vụ bưu chính": "By post",
    "Kết quả": "Result",
    "Thành phần hồ sơ": "Required documents",
    "Giấy tờ": "Document",
    "Bản chính": "Originals",
    "Bản sao": "Copies",
    "Mẫu": "Form",
    "nếu có": "if any",
    "Yêu cầu, điều kiện": "Requirements and conditions",
    "Quy trình giải quyết": "Processing steps",
    "thời gian": "of the time",
    "Căn cứ pháp lý": "Legal basis",
    "Từ khóa": "Keywords",
    "Tất cả": "All",
    "Cấp thực hiện": "Level",
    "Mức độ trực tuyến": "Online level",
    "Trực tuyến ": "Online",
    # --- Virtual assistant (assistant/) -----------------------------------------------------------
    "Trợ lý ảo: câu hỏi chưa trả lời được": "Virtual assistant: unanswered questions",
    "Những câu hỏi trợ lý ảo không chắc chắn hoặc không trả lời được. Dùng danh sách này để bổ sung câu hỏi thường gặp và từ đồng nghĩa (trang quản trị danh mục).": "Questions the virtual assistant was unsure about or could not answer. Use this list to add frequently asked questions and synonyms (catalogue admin page).",
    "Chỉ xem câu hỏi chưa trả lời được": "Show unanswered questions only",
    "Xem tất cả câu hỏi": "Show all questions",
    "Hỏi nhiều nhất mà chưa trả lời được": "Most asked, not yet answered",
    "Câu hỏi (chuẩn hóa)": "Question (normalised)",
    "Số lần": "Times asked",
    "Nhật ký câu hỏi": "Question log",
    "Câu hỏi": "Question",
    "Loại trả lời": "Answer type",
    "Chắc chắn": "Confident",
    "Nguồn gần nhất": "Closest source",
    "có,không": "yes,no",
    "Chưa có câu hỏi nào.": "No questions yet.",
    "Trợ lý ảo": "Virtual assistant",
    "Đóng trợ lý ảo": "Close the virtual assistant",
    "Hỏi về thủ tục hành chính hoặc nhập mã hồ sơ. Câu trả lời lấy từ danh mục thủ tục của tỉnh.": "Ask about an administrative procedure or enter a dossier code. Answers come from the province's procedure catalogue.",
    "Hội thoại": "Conversation",
    "Câu hỏi của bạn": "Your question",
    "Ví dụ: làm giấy khai sinh cần giấy tờ gì?": "E.g. what papers do I need for a birth certificate?",
    "Gửi": "Send",
    # --- Back-office navigation (backoffice/) -----------------------------------------------------
    "Hồ sơ": "Dossiers",
    "Tiếp nhận hồ sơ": "Receive a dossier",
    "Đối soát thanh toán": "Payment reconciliation",
    "Điều hành (chỉ số 766)": "Operations (Decision 766 index)",
    "Phản ánh hiện trường": "Field reports",
    "Văn bản": "Documents",
    "Nhiệm vụ": "Tasks",
    # --- Operations dashboard, heat map, digital-transformation plan (dashboard/) -----------------
    "Kế hoạch chuyển đổi số dành cho lãnh đạo, cán bộ theo dõi và cơ quan chủ trì.": "Digital transformation plan for leaders, monitoring officials and lead agencies.",
    "Bản đồ nhiệt hồ sơ trễ hạn": "Heat map of overdue dossiers",
    "Bản đồ nhiệt hồ sơ trễ, quá hạn — %(name)s": "Heat map of late and overdue dossiers — %(name)s",
    "Đơn vị (mã tỉnh, xã hoặc cơ quan)": "Unit (province, commune or agency code)",
    "Kỳ (năm được lấy theo kỳ)": "Period (the year is taken from the period)",
    "Xem": "View",
    "Về bảng điều hành": "Back to the dashboard",
    "Mỗi ô: tỷ lệ hồ sơ tiếp nhận trong tháng đã giải quyết trễ hạn hoặc đang quá hạn (trừ hồ sơ công dân rút). Màu đậm dần theo từng bậc 5 %%; từ 25 %% trở lên là đậm nhất. Chưa có ranh giới hành chính ngoại tuyến nên hiển thị dạng bảng.": "Each cell: the share of dossiers received in the month that were settled late or are overdue (dossiers withdrawn by the applicant excluded). The colour darkens in steps of 5 %%; 25 %% and above is the darkest. Offline administrative boundaries are not available yet, so the map is shown as a table.",
    "Chú giải": "Legend",
    "Xã, phường": "Commune, ward",
    "Cả năm": "Whole year",
    "Quá hạn hiện tại": "Currently overdue",
    "Không có hồ sơ trong năm.": "No dossiers in this year.",
    "Bản đồ nhiệt trễ hạn": "Overdue heat map",
    "Kế hoạch chuyển đổi số": "Digital transformation plan",
    "Văn bản, chữ ký số, thanh toán": "Documents, digital signatures, payments",
    "%(n)s chỉ tiêu trong 3 trụ cột.": "%(n)s indicators across 3 pillars.",
    "Trạng thái: đã đạt khi giá trị hiện tại đạt mục tiêu; chậm tiến độ khi quá hạn mà chưa đạt; có nguy cơ chậm khi tiến độ (phần đã đi từ giá trị đầu kỳ đến mục tiêu) thấp hơn phần thời gian đã trôi qua quá 10 điểm phần trăm; còn lại là đúng tiến độ.": "Status: achieved when the current value reaches the target; behind schedule when the deadline has passed without reaching it; at risk when progress (the share of the way from the baseline to the target) trails the share of time elapsed by more than 10 percentage points; otherwise on track.",
    "Chỉ tiêu": "Indicator",
    "Cơ quan chủ trì": "Lead agency",
    "Mục tiêu": "Target",
    "Hiện tại": "Current",
    "Tiến độ": "Progress",
    "Hạn": "Deadline",
    "Trạng thái": "Status",
    "Hệ thống tự tính": "Computed by the system",
    "Báo cáo": "Report",
    "minh chứng": "evidence",
    "tệp minh chứng": "evidence file",
    "Giá trị đạt được": "Value achieved",
    "Ghi chú": "Note",
    "Đường dẫn minh chứng": "Evidence link",
    "hoặc tệp minh chứng (PDF, ảnh)": "or evidence file (PDF, image)",
    "Gửi báo cáo": "Submit report",
    "Chưa có chỉ tiêu.": "No indicators yet.",
    "Vướng mắc": "Obstacles",
    "Cơ quan phải xử lý": "Agency responsible",
    "Từ ngày": "From",
    "Tình trạng": "Status",
    "Đã tháo gỡ": "Resolved",
    "Chưa tháo gỡ": "Unresolved",
    "Cách tháo gỡ": "Resolution",
    "Xác nhận": "Confirm",
    "Không có vướng mắc.": "No obstacles.",
    "Ghi nhận vướng mắc": "Record an obstacle",
    "Mô tả": "Description",
    "Chỉ tiêu (mã, nếu có)": "Indicator (code, if any)",
    "Ghi nhận": "Record",
    "Thêm hoặc sửa chỉ tiêu": "Add or edit an indicator",
    "Mã (trùng mã cũ: sửa chỉ tiêu đó)": "Code (an existing code edits that indicator)",
    "Trụ cột": "Pillar",
    "Tên chỉ tiêu": "Indicator name",
    "Chỉ số hệ thống (để trống: cơ quan chủ trì báo cáo)": "System metric (leave empty: the lead agency reports)",
    "Phạm vi (mã đơn vị hoặc cơ quan; trống: cả tỉnh)": "Scope (unit or agency code; empty: whole province)",
    "Giá trị đầu kỳ": "Baseline value",
    "Giá trị mục tiêu": "Target value",
    "Đơn vị tính": "Unit of measure",
    "Bắt đầu": "Start",
    "Lưu chỉ tiêu": "Save indicator",
    # --- E-documents: registers, drafting, signing, exchange, tasks (documents/) ------------------
    "Văn bản chính": "Main document",
    "Tệp đính kèm": "Attachment",
    "Dự thảo": "Draft",
    "Bản đã ký số": "Digitally signed copy",
    "Báo cáo tiến độ": "Progress report",
    "Văn bản đến": "Incoming document",
    "số đến": "arrival no.",
    "Văn bản đi": "Outgoing document",
    "Trích yếu": "Summary",
    "Loại văn bản": "Document type",
    "Số, ký hiệu": "Number and notation",
    "Ngày văn bản": "Document date",
    "Cơ quan ban hành": "Issuing agency",
    "Người ký": "Signed by",
    "Độ khẩn / độ mật": "Urgency / confidentiality",
    "Số trang": "Pages",
    "Thời gian đến": "Received at",
    "bản giấy": "paper",
    "điện tử": "electronic",
    "Đơn vị chủ trì": "Lead unit",
    "Cán bộ xử lý": "Handling official",
    "Hạn xử lý": "Handling deadline",
    "Ý kiến chỉ đạo": "Leader's instructions",
    "Chữ ký số": "Digital signatures",
    "Chữ ký không hợp lệ hoặc tệp đã bị sửa đổi": "Invalid signature or the file has been modified",
    "Không có chữ ký số": "No digital signature",
    "Không có tệp PDF": "No PDF file",
    "Tệp": "Files",
    "Nội dung": "Content",
    "Phân công": "Assignments",
    "hạn": "due",
    "đã đọc": "read",
    "Nơi nhận và trạng thái liên thông": "Recipients and exchange status",
    "Lúc": "At",
    "Chờ gửi": "Waiting to be sent",
    "Xử lý": "Handling",
    "Phân công xử lý (lãnh đạo)": "Assign handling (leader)",
    "Đơn vị phối hợp": "Supporting units",
    "Để biết": "For information",
    "Giao cán bộ xử lý (trưởng phòng)": "Assign a handling official (head of division)",
    "Cán bộ": "Official",
    "Yêu cầu": "Instructions",
    "Giao xử lý": "Assign",
    "Kết quả xử lý": "Handling result",
    "Hoàn thành xử lý": "Complete handling",
    "Đánh dấu đã đọc": "Mark as read",
    "Sửa dự thảo (lưu phiên bản mới)": "Edit the draft (saves a new version)",
    "Lưu phiên bản": "Save version",
    "Trình duyệt": "Submit for review",
    "Duyệt dự thảo (trưởng phòng)": "Review the draft (head of division)",
    "Ý kiến": "Comments",
    "Đồng ý, trình lãnh đạo": "Approve and submit to the leader",
    "Trả lại": "Send back",
    "Phê duyệt và ký số (lãnh đạo)": "Approve and sign digitally (leader)",
    "Chức vụ": "Position",
    "Ký số": "Sign digitally",
    "Ban hành (văn thư)": "Issue (records clerk)",
    "Cấp số theo sổ văn bản đi, ký số của cơ quan và gửi đến nơi nhận.": "Assign a number from the outgoing register, apply the agency's digital signature and send to the recipients.",
    "Cấp số, đóng dấu và gửi": "Number, seal and send",
    "Gửi ý kiến": "Send comment",
    "Các phiên bản dự thảo": "Draft versions",
    "Phiên bản": "Version",
    "phiên bản": "version",
    "Lịch sử xử lý": "Handling history",
    "Liên thông văn bản": "Document exchange",
    "Liên thông văn bản (edXML)": "Document exchange (edXML)",
    "Tên": "Name",
    "Địa chỉ nhận": "Receiving address",
    "Hoạt động": "Active",
    "Chưa có đơn vị liên thông.": "No exchange partners yet.",
    "Thêm hoặc sửa đơn vị liên thông": "Add or edit an exchange partner",
    "Mã định danh cơ quan": "Agency identifier code",
    "Địa chỉ nhận edXML (để trống: gửi qua trục)": "edXML receiving address (leave empty: send through the exchange hub)",
    "Khóa chia sẻ (ít nhất 16 ký tự)": "Shared key (at least 16 characters)",
    "Gói đang chờ gửi": "Packages waiting to be sent",
    "Mã gói": "Package ID",
    "Đến": "Incoming",
    "Số lần thử": "Attempts",
    "Thử lại lúc": "Next retry",
    "Lỗi gần nhất": "Last error",
    "Không có gói nào chờ gửi.": "No packages waiting to be sent.",
    "Văn bản và điều hành": "Documents and tasks",
    "Vào sổ văn bản đến": "Register an incoming document",
    "Soạn văn bản đi": "Draft an outgoing document",
    "Hộp việc": "Work queues",
    "Quá hạn": "Overdue",
    "Sắp đến hạn": "Due soon",
    "Chờ phân công": "Awaiting assignment",
    "Chờ giao cán bộ": "Awaiting an official",
    "Tôi đang xử lý": "I am handling",
    "Để biết (chưa đọc)": "For information (unread)",
    "Dự thảo của tôi": "My drafts",
    "Chờ tôi duyệt": "Awaiting my review",
    "Chờ tôi ký": "Awaiting my signature",
    "Chờ ban hành": "Awaiting issue",
    "Tìm theo số, ký hiệu, trích yếu, nội dung (không cần dấu)": "Search by number, notation, summary or content (diacritics optional)",
    "Loại sổ": "Register type",
    "Sổ": "Register",
    "Đi": "Outgoing",
    "Không có văn bản nào.": "No documents.",
    "Cơ quan nhận": "Receiving agency",
    "Hình thức nhận": "Received as",
    "Văn bản điện tử": "Electronic document",
    "Văn bản giấy (bản quét)": "Paper document (scanned)",
    "Số": "Number",
    "Ký hiệu (ví dụ QĐ-UBND)": "Notation (e.g. QĐ-UBND)",
    "Độ khẩn": "Urgency",
    "Độ mật": "Confidentiality",
    "Tệp văn bản và phụ lục (PDF, JPEG, PNG)": "Document and annex files (PDF, JPEG, PNG)",
    "Vào sổ": "Register",
    "Để trống nội dung để dùng mẫu của loại văn bản.": "Leave the content empty to use the template of the document type.",
    "Đơn vị soạn thảo": "Drafting unit",
    "Nơi nhận trong hệ thống": "Recipients in the system",
    "Nơi nhận ngoài hệ thống (liên thông), mỗi dòng: mã định danh|tên cơ quan": "Recipients outside the system (exchange), one per line: identifier code|agency name",
    "Tạo dự thảo": "Create draft",
    "Nguồn": "Source",
    "Hạn hoàn thành": "Due date",
    "Sản phẩm đầu ra": "Expected output",
    "Chưa có báo cáo.": "No reports yet.",
    "Tiến độ (%%)": "Progress (%%)",
    "Nội dung báo cáo": "Report content",
    "Theo dõi thực hiện nhiệm vụ": "Task tracking",
    "Thống kê theo đơn vị": "Statistics by unit",
    "Hoàn thành đúng hạn": "Completed on time",
    "Hoàn thành trễ hạn": "Completed late",
    "Đang thực hiện trong hạn": "In progress, within the deadline",
    "Chưa có nhiệm vụ.": "No tasks yet.",
    "Giao nhiệm vụ": "Assign a task",
    "Cơ quan giao": "Assigning agency",
    "Từ văn bản (mã số trong hệ thống)": "From a document (its ID in the system)",
    "Hoặc từ cuộc họp": "Or from a meeting",
    "Nội dung nhiệm vụ": "Task description",
    # --- Fees, online payment, e-receipts (payments/) ---------------------------------------------
    "Phí, lệ phí và biên lai": "Fees, charges and receipts",
    "Còn phải nộp": "Still to pay",
    "Biên lai": "Receipt",
    "Thu tại quầy bằng": "Collect at the counter by",
    "Tiền mặt": "Cash",
    "Thẻ (POS)": "Card (POS)",
    "Số tiền đã thu (đồng)": "Amount collected (VND)",
    "Thu phí và lập biên lai": "Collect the fee and issue a receipt",
    "Đối soát thanh toán theo ngày": "Daily payment reconciliation",
    "Tải CSV": "Download CSV",
    "Tổng hợp": "Summary",
    "Đã thu": "Collected",
    "giao dịch": "transactions",
    "Cổng thanh toán báo thành công": "Reported successful by the payment gateway",
    "Biên lai điện tử đã lập": "E-receipts issued",
    "Giao dịch cần xử lý": "Transactions needing attention",
    "Chi tiết giao dịch": "Transaction details",
    "Mã giao dịch": "Transaction ID",
    "Kênh": "Channel",
    "Số tiền": "Amount",
    "Mã GD cổng": "Gateway transaction no.",
    "Chênh lệch": "Discrepancy",
    "Khớp": "Matched",
    "Không có giao dịch trong ngày.": "No transactions on this day.",
    "Kết quả thanh toán": "Payment result",
    "Dữ liệu trả về từ cổng thanh toán không hợp lệ (sai chữ ký). Giao dịch không được ghi nhận từ trang này.": "The data returned by the payment gateway is invalid (wrong signature). The transaction is not recorded from this page.",
    "Không tìm thấy giao dịch thanh toán của bạn.": "Your payment transaction was not found.",
    "Thanh toán thành công.": "Payment successful.",
    "Mã hồ sơ": "Dossier code",
    "Biên lai điện tử": "E-receipt",
    "Tải biên lai điện tử (PDF)": "Download the e-receipt (PDF)",
    "Cổng thanh toán báo giao dịch thành công; hệ thống đang chờ xác nhận chính thức từ cổng. Vui lòng tải lại trang sau ít phút.": "The payment gateway reports the transaction as successful; the system is waiting for the gateway's official confirmation. Please reload the page in a few minutes.",
    "Tải lại trang": "Reload the page",
    "Hồ sơ đã được nộp phí trước đó; khoản thanh toán này sẽ được hoàn lại.": "The fee for this dossier had already been paid; this payment will be refunded.",
    "Thanh toán không thành công": "Payment failed",
    "Thanh toán lại": "Pay again",
    "Xem hồ sơ của tôi": "View my dossier",
    "Cổng thanh toán thử nghiệm": "Test payment gateway",
    "Cổng thanh toán thử nghiệm (sandbox)": "Test payment gateway (sandbox)",
    "Mô phỏng cổng thanh toán, không trừ tiền thật": "Simulated payment gateway, no real money is charged",
    "Giao dịch không hợp lệ": "Invalid transaction",
    "Thanh toán qua thẻ ATM/tài khoản ngân hàng": "Pay by ATM card or bank account",
    "Mã tham chiếu": "Reference",
    "Ngân hàng": "Bank",
    "Thanh toán": "Pay",
    "Hủy giao dịch": "Cancel the transaction",
    "Mô phỏng: không gửi IPN (kết quả chỉ biết được khi hệ thống truy vấn giao dịch)": "Simulate: send no IPN (the result is known only when the system queries the transaction)",
    "Thanh toán phí, lệ phí": "Pay fees and charges",
    "Thủ tục": "Procedure",
    "Số tiền phải nộp": "Amount due",
    "Bạn sẽ được chuyển sang cổng thanh toán VNPAY để thanh toán bằng thẻ ATM, tài khoản ngân hàng hoặc ví điện tử. Biên lai điện tử được lập ngay khi cổng thanh toán xác nhận.": "You will be taken to the VNPAY payment gateway to pay by ATM card, bank account or e-wallet. The e-receipt is issued as soon as the gateway confirms the payment.",
    "Hồ sơ không còn phí, lệ phí phải nộp.": "Nothing remains to be paid for this dossier.",
    "Quay lại hồ sơ": "Back to the dossier",
    "Các lần thanh toán": "Payment attempts",
    "Kiểm tra với cổng thanh toán": "Check with the payment gateway",
    "Xác minh biên lai điện tử": "Verify an e-receipt",
    "Biên lai hợp lệ, do hệ thống Chính quyền số lập.": "Valid receipt, issued by the digital government system.",
    "Tổ chức thu": "Collecting organisation",
    "Ký hiệu mẫu": "Template code",
    "Ký hiệu, số": "Series and number",
    "Ngày lập": "Issued on",
    "Mã băm SHA-256 của tệp": "SHA-256 hash of the file",
    # --- Citizen pages (portal/) ------------------------------------------------------------------
    "hẹn trả": "due",
    # --- Field reports: public map, form, tracking, staff queue, Open311 keys (reports/) ----------
    "Tiếp nhận phản ánh": "Report received",
    "Xác minh, tiếp nhận xử lý": "Verified and accepted for handling",
    "Giao cán bộ xử lý": "Assigned to an official",
    "Bắt đầu xử lý": "Handling started",
    "Trả lời kết quả": "Result answered",
    "Chuyển cơ quan khác": "Transferred to another agency",
    "Không xử lý": "Not handled",
    "Người dân mở lại": "Reopened by the citizen",
    "Người dân chưa đồng ý": "Citizen disagreed",
    "Đóng phản ánh": "Report closed",
    "Báo lãnh đạo (thời hạn)": "Leader alerted (deadline)",
    "Gộp phản ánh trùng": "Merged as a duplicate",
    "Người dân đánh giá": "Rated by the citizen",
    "Người dân bổ sung thông tin": "Citizen added information",
    "Duyệt công khai": "Approved for publication",
    "Thôi công khai": "Withdrawn from publication",
    "Đổi lĩnh vực, định tuyến lại": "Sector changed, rerouted",
    "Sửa vị trí, định tuyến lại": "Location corrected, rerouted",
    "Gửi phản ánh": "Send a report",
    "Tra cứu phản ánh theo mã": "Look up a report by code",
    "Xã/phường": "Commune/ward",
    "Đến ngày": "To",
    "Bản đồ phản ánh": "Report map",
    "Bản đồ nền chưa được cấu hình: các điểm phản ánh hiển thị trên nền trơn.": "No base map is configured: reports are shown on a plain background.",
    "Chưa có phản ánh nào phù hợp.": "No matching reports.",
    "Tra cứu phản ánh": "Look up a report",
    "Mã theo dõi": "Tracking code",
    "Mã theo dõi, ví dụ PA260302-AB3CDE": "Tracking code, e.g. PA260302-AB3CDE",
    "Tra cứu": "Look up",
    "Gửi phản ánh hiện trường": "Send a field report",
    "Có phải sự việc này đã được phản ánh?": "Has this already been reported?",
    "Gần vị trí bạn chọn có phản ánh cùng lĩnh vực đang được xử lý. Bạn có thể theo dõi phản ánh đó thay vì gửi mới.": "A report in the same sector near the place you chose is already being handled. You can follow that report instead of sending a new one.",
    "cách %(d)s m": "%(d)s m away",
    "— Chọn lĩnh vực —": "— Choose a sector —",
    "Nội dung phản ánh": "What you want to report",
    "Số điện thoại, số định danh, email trong nội dung sẽ được tự động ẩn khi công khai.": "Phone numbers, ID numbers and e-mail addresses in the text are hidden automatically when it is published.",
    "Chạm vào bản đồ để ghim vị trí, hoặc chọn xã/phường và nhập địa chỉ.": "Tap the map to pin the location, or choose the commune/ward and enter the address.",
    "Bản đồ chọn vị trí": "Location picker map",
    "Bản đồ nền chưa được cấu hình: hãy ghim gần đúng hoặc nhập địa chỉ.": "No base map is configured: pin an approximate location or enter the address.",
    "Vĩ độ": "Latitude",
    "Kinh độ": "Longitude",
    "— Chọn xã/phường —": "— Choose a commune/ward —",
    "Địa chỉ, mô tả vị trí": "Address, description of the place",
    "Ảnh hiện trường (tối đa %(max_photos)s ảnh, mỗi ảnh ≤ %(max_mb)s MB)": "Photos of the scene (up to %(max_photos)s photos, each ≤ %(max_mb)s MB)",
    "Thông tin vị trí GPS và máy ảnh trong ảnh được xóa khỏi bản công khai.": "GPS location and camera data are removed from the published photos.",
    "Liên hệ để nhận kết quả (không công khai)": "Contact for the answer (not published)",
    "Họ tên": "Full name",
    "Điện thoại": "Phone",
    "Email": "E-mail",
    "Sự việc của tôi khác các phản ánh trên, vẫn gửi mới": "My issue is different from the reports above, send it anyway",
    "Phản ánh %(c)s": "Report %(c)s",
    "Phản ánh": "Report",
    "Cơ quan xử lý": "Handling agency",
    "Ngày gửi": "Sent on",
    "Địa điểm": "Location",
    "Người phản ánh": "Reported by",
    "Trả lời": "Answer",
    "Không có thao tác nào bạn được thực hiện ở trạng thái này.": "There is no action you can take in this status.",
    "Chuyển đến cơ quan": "Transfer to agency",
    "Lý do chuyển": "Reason for the transfer",
    "Mẫu trả lời": "Answer template",
    "Trả lời người dân": "Answer to the citizen",
    "Ảnh sau xử lý": "Photos after handling",
    "Mã phản ánh gốc (khi trùng)": "Original report code (for a duplicate)",
    "Giải thích cho người dân": "Explanation for the citizen",
    "Đổi lĩnh vực (định tuyến lại)": "Change sector (reroute)",
    "Đổi lĩnh vực": "Change sector",
    "Sửa vị trí (định tuyến lại)": "Correct the location (reroute)",
    "Địa chỉ": "Address",
    "Lưu vị trí": "Save location",
    "Nội dung công khai (số điện thoại, số định danh, email tự động ẩn)": "Published text (phone numbers, ID numbers and e-mail addresses are hidden automatically)",
    "Công khai trên cổng": "Publish on the portal",
    "Không công khai ảnh bổ sung %(n)s": "Do not publish added photo %(n)s",
    "Lưu duyệt": "Save review",
    "Quá trình xử lý": "Handling history",
    "Khóa Open311": "Open311 keys",
    "Khóa Open311 (api_key)": "Open311 keys (api_key)",
    "Khóa mới (chỉ hiển thị một lần, hãy sao chép ngay):": "New key (shown only once, copy it now):",
    "Tên hệ thống sử dụng": "Name of the client system",
    "Cấp khóa": "Issue key",
    "Tiền tố": "Prefix",
    "Cấp lúc": "Issued at",
    "Dùng lần cuối": "Last used",
    "Đã thu hồi": "Revoked",
    "Đang dùng": "In use",
    "Thu hồi": "Revoke",
    "Chưa có khóa nào.": "No keys yet.",
    "Hộp phản ánh": "Report queues",
    "Tìm theo mã hoặc nội dung": "Search by code or content",
    "Không có phản ánh nào trong hộp này.": "No reports in this queue.",
    "Quá hạn, đã báo lãnh đạo": "Overdue, leader alerted",
    "Sắp đến hạn, đã báo lãnh đạo": "Due soon, leader alerted",
    "Gộp vào": "Merged into",
    "Nội dung đang chờ duyệt công khai.": "The text is awaiting approval for publication.",
    "Ảnh hiện trường": "Photos of the scene",
    "Người dân đánh giá: %(r)s/5": "Citizen rating: %(r)s/5",
    "Bổ sung ảnh, thông tin": "Add photos or information",
    "Bạn có thể gửi thêm tối đa %(n)s ảnh (mỗi ảnh ≤ %(mb)s MB). Ảnh bổ sung được xóa thông tin vị trí GPS và chỉ công khai sau khi cán bộ duyệt.": "You can send up to %(n)s more photos (each ≤ %(mb)s MB). GPS location data is removed from added photos, and they are published only after an official approves them.",
    "Ảnh bổ sung": "Added photos",
    "Nội dung bổ sung (không công khai)": "Additional information (not published)",
    "Bổ sung ảnh": "Add photos",
    "Bạn chưa hài lòng với kết quả?": "Not satisfied with the result?",
    "Trong %(d)s ngày kể từ khi có kết quả, bạn có thể mở lại (sự việc tái diễn) hoặc không đồng ý với kết quả.": "Within %(d)s days of the result you can reopen the report (if the issue has come back) or disagree with the result.",
    "Không đồng ý với kết quả": "Disagree with the result",
    "Mở lại (sự việc tái diễn)": "Reopen (the issue has come back)",
    "Đánh giá kết quả": "Rate the result",
    "Mức độ hài lòng": "Satisfaction",
    "Nhận xét": "Comment",
    "Gửi đánh giá": "Send rating",
    # --- Digital signature verification (signing/) ------------------------------------------------
    "Xác thực chữ ký số": "Verify digital signatures",
    "Xác thực chữ ký số trên tệp PDF": "Verify the digital signatures in a PDF file",
    "Tải lên tệp PDF (tối đa %(max_mb)s MB) để kiểm tra từng chữ ký số: người ký, thời điểm ký, tài liệu có bị thay đổi sau khi ký không, chuỗi chứng thư đến chứng thư gốc tin cậy, tình trạng thu hồi và dấu thời gian. Tệp không được lưu lại.": "Upload a PDF file (up to %(max_mb)s MB) to check each digital signature: the signer, the signing time, whether the document was changed after signing, the certificate chain up to a trusted root, revocation status and the timestamp. The file is not kept.",
    "Tệp PDF đã ký số": "Digitally signed PDF file",
    "Xác thực": "Verify",
    "Tải báo cáo xác thực (PDF)": "Download the verification report (PDF)",
    "Tài liệu không có chữ ký số nào.": "The document has no digital signature.",
    "Có chữ ký không hợp lệ hoặc không xác thực được.": "At least one signature is invalid or could not be verified.",
    "Chữ ký": "Signature",
    "Chữ ký số cơ quan": "Agency digital signature",
    "Chữ ký cá nhân": "Personal signature",
    "Trình diễn — không dùng thật": "Demonstration — not for real use",
    "Kết luận": "Conclusion",
    "Hợp lệ": "Valid",
    "Không hợp lệ": "Invalid",
    "Thời điểm ký": "Signing time",
    "Toàn vẹn": "Integrity",
    "Chuỗi tin cậy": "Chain of trust",
    "Dấu thời gian": "Timestamp",
    "hợp lệ": "valid",
    "Không có": "None",
    "Tổ chức cấp": "Issuer",
    "Số hiệu chứng thư": "Certificate serial number",
    # --- Accounts: login, registration, verification (templates/accounts/) ------------------------
    "Bạn đã nhập sai mật khẩu quá nhiều lần. Vì an toàn, tài khoản này tạm thời không đăng nhập được từ máy của bạn. Vui lòng thử lại sau 15 phút hoặc liên hệ quản trị viên.": "You entered a wrong password too many times. For your safety, this account cannot log in from your device for now. Please try again in 15 minutes or contact the administrator.",
    "Đăng nhập bằng định danh điện tử %(oidc_name)s": "Log in with %(oidc_name)s electronic identification",
    "Chưa có tài khoản?": "No account yet?",
    "Đăng ký tài khoản công dân, doanh nghiệp": "Register a citizen or business account",
    "Đăng ký tài khoản": "Register an account",
    "Đăng nhập bằng tài khoản định danh điện tử %(oidc_name)s": "Log in with your %(oidc_name)s electronic identification account",
    "Hoặc đăng ký bằng số định danh và mã xác thực gửi qua điện thoại, thư điện tử:": "Or register with your personal ID number and a verification code sent by phone or e-mail:",
    "Đăng ký và nhận mã xác thực": "Register and get a verification code",
    "Đã có tài khoản?": "Already have an account?",
    "Xác thực tài khoản": "Verify your account",
    "Mã xác thực gồm 6 chữ số đã được gửi tới %(destination)s.": "A 6-digit verification code has been sent to %(destination)s.",
    "Gửi lại mã": "Send the code again",
    # --- Back office: audit log, one-stop dossiers, intake, signing (templates/backoffice/) -------
    "Nhật ký chỉ được ghi thêm, không sửa, không xóa; mỗi dòng mang mã băm của dòng trước. Kiểm tra toàn vẹn bằng lệnh manage.py audit_verify.": "The log is append-only: nothing is edited or deleted, and each row carries the hash of the previous one. Check its integrity with the command manage.py audit_verify.",
    "Đã ký số": "Digitally signed",
    "Đã ký số, đóng dấu": "Digitally signed and sealed",
    "Đóng dấu (ký số cơ quan)": "Seal (agency digital signature)",
    "Trễ hạn": "Late",
    "Trước hạn": "Early",
    "Đúng hạn": "On time",
    "Thông tin hồ sơ": "Dossier details",
    "Người nộp": "Applicant",
    "Liên hệ": "Contact",
    "Cơ quan giải quyết": "Processing agency",
    "Bước hiện tại": "Current step",
    "Hạn bước": "Step deadline",
    "Tiếp nhận": "Received",
    "Hẹn trả kết quả": "Result due",
    "Không": "None",
    "Người xử lý": "Handled by",
    "Trang tra cứu công khai": "Public lookup page",
    "Tệp hồ sơ": "Dossier files",
    "Chưa có tệp.": "No files yet.",
    "Xử lý hồ sơ": "Process the dossier",
    "Giao cho (tên đăng nhập, không bắt buộc)": "Assign to (username, optional)",
    "Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)": "Papers to supplement (one per line)",
    "Tệp (PDF, JPEG, PNG)": "File (PDF, JPEG, PNG)",
    "Tên kết quả": "Result name",
    "Ngày giờ hẹn trả mới": "New due date and time",
    "Hình thức trả": "Return method",
    "Hồ sơ thủ tục hành chính": "Administrative procedure dossiers",
    "Tiếp nhận hồ sơ mới": "Receive a new dossier",
    "Hộp hồ sơ": "Dossier queues",
    "Tìm theo mã hồ sơ, họ tên, số định danh, điện thoại": "Search by dossier code, name, personal ID number or phone",
    "Hạn trả": "Due",
    "Không có hồ sơ nào trong hộp này.": "No dossiers in this queue.",
    "Trang sau": "Next page",
    "Chọn thủ tục khác": "Choose another procedure",
    "Người nộp hồ sơ": "Applicant",
    "Thành phần hồ sơ (quét hoặc tải lên PDF, JPEG, PNG)": "Required documents (scan or upload PDF, JPEG, PNG)",
    "bắt buộc": "required",
    "bản chính": "original",
    "bản sao": "copy",
    "Tiếp nhận và cấp giấy hẹn": "Receive and issue the intake receipt",
    "Hồ sơ chưa đủ hoặc không thuộc thẩm quyền? Lập phiếu": "Incomplete dossier, or not within our competence? Issue a notice",
    "Lập phiếu yêu cầu bổ sung": "Issue a supplement request",
    "Lập phiếu từ chối tiếp nhận": "Issue a refusal to receive",
    "Bộ phận tiếp nhận": "Receiving desk",
    "Tiếp tục": "Continue",
    # --- Public portal and citizen pages (templates/portal/) --------------------------------------
    "Nộp trực tuyến": "Apply online",
    "Thủ tục này chưa nộp trực tuyến được: vui lòng nộp tại Bộ phận Một cửa hoặc qua bưu chính.": "This procedure cannot be submitted online yet: please apply at the one-stop desk or by post.",
    "Tải mẫu «%(name)s»": "Download the form «%(name)s»",
    "Tra cứu hồ sơ": "Track a dossier",
    "Thống kê": "Statistics",
    "Hồ sơ của tôi": "My dossiers",
    "Chức năng cá nhân": "My services",
    "Nộp hồ sơ trực tuyến": "Submit a dossier online",
    "Kho dữ liệu": "Document repository",
    "Hồ sơ gần đây": "Recent dossiers",
    "Nháp": "Draft",
    "Tổ chức": "Organisation",
    "Mã số thuế": "Tax code",
    "Tra cứu thủ tục hành chính, nộp hồ sơ và theo dõi kết quả tại tỉnh %(PROVINCE_NAME)s.": "Find administrative procedures, submit dossiers and follow their results in %(PROVINCE_NAME)s province.",
    "Nhập mã hồ sơ, ví dụ 000.00.20.H49-261123-0001": "Enter the dossier code, e.g. 000.00.20.H49-261123-0001",
    "Ngày tiếp nhận": "Received on",
    "Hoàn thành": "Completed",
    "Kênh nộp": "Submitted via",
    "Tiếp nhận lúc": "Received at",
    "Nhận kết quả": "Result delivery",
    "Không thu": "No charge",
    "Thanh toán lệ phí": "Pay the fee",
    "Kết quả giải quyết": "Result",
    "Tải kết quả": "Download the result",
    "Yêu cầu bổ sung hồ sơ": "Supplement request",
    "Giấy tờ bổ sung (PDF, JPEG, PNG)": "Supplementary papers (PDF, JPEG, PNG)",
    "Gửi hồ sơ bổ sung": "Send the supplement",
    "Đánh giá mức độ hài lòng": "Satisfaction rating",
    "Góp ý (nếu có)": "Comments (optional)",
    "Bạn đã đánh giá: %(score)s/5.": "Your rating: %(score)s/5.",
    "Giấy tờ đã nộp": "Papers submitted",
    "Không có tệp.": "No files.",
    "Rút hồ sơ": "Withdraw the dossier",
    "Lý do rút hồ sơ": "Reason for withdrawal",
    "Hồ sơ nháp": "Draft dossiers",
    "lưu lúc": "saved at",
    "Xóa nháp": "Delete draft",
    "Không còn hồ sơ nào.": "No more dossiers.",
    "Bạn chưa có hồ sơ nào.": "You have no dossiers yet.",
    "Tìm thủ tục để nộp trực tuyến": "Find a procedure to apply online",
    "Trang": "Pages",
    "Về trang đầu": "Back to the first page",
    "Xem thêm": "Show more",
    "Không tìm thấy thủ tục phù hợp. Hãy thử từ khóa khác, có dấu hoặc không dấu.": "No matching procedure found. Try other keywords, with or without diacritics.",
    "Kho dữ liệu của tôi": "My document repository",
    "Giấy tờ đã số hóa trong các hồ sơ trước và kết quả giải quyết. Khi nộp hồ sơ mới, chọn dùng lại thay vì tải lên lần nữa.": "Papers digitised in your earlier dossiers, and their results. When you submit a new dossier, choose to reuse them instead of uploading them again.",
    "Tải về": "Download",
    "Chưa có giấy tờ nào.": "No papers yet.",
    "1. Cơ quan giải quyết": "1. Processing agency",
    "Nộp hồ sơ tới": "Submit the dossier to",
    "— Chọn cơ quan —": "— Choose an agency —",
    "2. Thông tin khai báo": "2. Application details",
    "— Chọn —": "— Choose —",
    "3. Thành phần hồ sơ": "3. Required documents",
    "Tệp PDF, JPEG hoặc PNG. Giấy tờ đã có trong kho dữ liệu có thể dùng lại, không cần tải lên.": "PDF, JPEG or PNG files. Papers already in your repository can be reused without uploading them.",
    "Đã đính kèm": "Attached",
    "từ kho dữ liệu": "from the repository",
    "Bỏ tệp này": "Remove this file",
    "hoặc dùng lại giấy tờ trong kho dữ liệu": "or reuse a paper from your repository",
    "— Không dùng —": "— None —",
    "4. Hình thức nhận kết quả": "4. How to receive the result",
    "Hình thức nhận kết quả": "How to receive the result",
    "Lưu nháp": "Save draft",
    "Nộp hồ sơ": "Submit the dossier",
    "Thủ tục «%(name)s» không cung cấp dịch vụ công trực tuyến. Vui lòng nộp hồ sơ trực tiếp tại Bộ phận Một cửa hoặc qua bưu chính.": "The procedure «%(name)s» is not offered as an online public service. Please submit your dossier in person at the one-stop desk or by post.",
    "Xem hướng dẫn thủ tục": "See the procedure guide",
}
PLURALS = {
    "<strong>%(n)s</strong> thủ tục": (
        "<strong>%(n)s</strong> procedure",
        "<strong>%(n)s</strong> procedures",
    ),
    "%(n)s thủ tục": ("%(n)s procedure", "%(n)s procedures"),
    "Tìm thấy %(n)s thủ tục.": ("Found %(n)s procedure.", "Found %(n)s procedures."),
    "%(n)s vướng mắc chưa tháo gỡ": ("%(n)s unresolved obstacle", "%(n)s unresolved obstacles"),
    "%(n)s chữ ký hợp lệ": ("%(n)s valid signature", "%(n)s valid signatures"),
    "%(n)s ảnh": ("%(n)s photo", "%(n)s photos"),
    "Người dân đã bổ sung %(n)s ảnh chờ duyệt: ảnh được công khai khi lưu duyệt, trừ ảnh đánh dấu dưới đây.": (
        "The citizen added %(n)s photo awaiting review: it is published when the review is saved, unless marked below.",
        "The citizen added %(n)s photos awaiting review: they are published when the review is saved, except those marked below.",
    ),
    "%(n)s chữ ký số — tất cả hợp lệ.": (
        "%(n)s digital signature — valid.",
        "%(n)s digital signatures — all valid.",
    ),
}


# --- PO file handling (no third-party dependency: polib is not installed) ---------------------

PO_PATH = Path(__file__).parent / "en" / "LC_MESSAGES" / "django.po"
WIDTH = 79  # gettext's default wrapping width, so the next makemessages run leaves lines alone
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_PLACEHOLDER = re.compile(
    r"%\([A-Za-z_][A-Za-z0-9_]*\)[sd]|%[sd]|\{[A-Za-z0-9_.]*\}|</?[a-z][^>]*>"
)


@dataclass
class Entry:
    """One message of a .po file. Comments and msgid lines are written back verbatim; only the
    flags and msgstr change. Obsolete (`#~`) blocks are kept as they are (`raw`)."""

    comments: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    previous: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)  # msgctxt / msgid / msgid_plural lines
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    obsolete: bool = False
    raw: str = ""

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and not self.fuzzy


def unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


def quote(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\t", "\\t")
        .replace("\r", "\\r")
    )


def parse_block(block: str) -> Entry:
    entry = Entry(raw=block)
    lines = block.split("\n")
    if any(line.startswith("#~") for line in lines) and not any(
        line.startswith("msgid") for line in lines
    ):
        entry.obsolete = True
        return entry
    key = ""
    strings: dict[str, str] = {}
    for line in lines:
        if line.startswith("#,"):
            entry.flags += [f.strip() for f in line[2:].split(",") if f.strip()]
        elif line.startswith("#|"):
            entry.previous.append(line)
        elif line.startswith("#"):
            entry.comments.append(line)
        elif line.startswith('"'):
            strings[key] += unquote(line)
            if not key.startswith("msgstr"):
                entry.source.append(line)
        else:
            key = line.split(" ", 1)[0]
            strings[key] = unquote(line)
            if not key.startswith("msgstr"):
                entry.source.append(line)
    entry.msgid = strings.get("msgid", "")
    entry.msgid_plural = strings.get("msgid_plural")
    if "msgstr" in strings:
        entry.msgstr = [strings["msgstr"]]
    else:
        entry.msgstr = [strings[k] for k in sorted(strings) if k.startswith("msgstr[")]
    return entry


def parse_po(text: str) -> list[Entry]:
    return [parse_block(b) for b in text.strip("\n").split("\n\n") if b.strip()]


def format_string(keyword: str, text: str) -> list[str]:
    """Write `keyword "text"` wrapped the way msgmerge does (break after \\n and at spaces)."""
    escaped = quote(text)
    if len(keyword) + len(escaped) + 3 <= WIDTH and "\\n" not in escaped[:-2]:
        return [f'{keyword} "{escaped}"']
    out = [f'{keyword} ""']
    for piece in re.split(r"(?<=\\n)", escaped):
        line = ""
        for word in re.split(r"(?<= )", piece):
            if line and len(line) + len(word) + 2 > WIDTH:
                out.append(f'"{line}"')
                line = ""
            line += word
        if line:
            out.append(f'"{line}"')
    return out


def render(entry: Entry) -> str:
    if entry.obsolete:
        return entry.raw
    lines = list(entry.comments)
    if entry.flags:
        lines.append("#, " + ", ".join(entry.flags))
    if entry.fuzzy:
        lines += entry.previous
    lines += entry.source
    if entry.msgid_plural is None:
        lines += format_string("msgstr", entry.msgstr[0] if entry.msgstr else "")
    else:
        for i, text in enumerate(entry.msgstr):
            lines += format_string(f"msgstr[{i}]", text)
    return "\n".join(lines)


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def translation_for(entry: Entry) -> list[str] | None:
    if entry.msgid_plural is None:
        return [EN[entry.msgid]] if entry.msgid in EN else None
    return list(PLURALS[entry.msgid]) if entry.msgid in PLURALS else None


def fill_header(entry: Entry) -> None:
    header = entry.msgstr[0]
    header = re.sub(r"^Language: .*$", "Language: en", header, flags=re.M)
    header = header.replace(
        "Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;",
        "Plural-Forms: nplurals=2; plural=(n != 1);",
    )
    entry.msgstr = [header]
    entry.flags = [f for f in entry.flags if f != "fuzzy"]


def fill(entries: list[Entry]) -> tuple[list[Entry], list[str]]:
    """Put the English text into every entry we know; return (missing entries, problems)."""
    missing: list[Entry] = []
    problems: list[str] = []
    for entry in entries:
        if entry.obsolete:
            continue
        if entry.msgid == "":
            fill_header(entry)
            continue
        english = translation_for(entry)
        # makemessages guesses "fuzzy" translations from similar old strings; they are wrong
        # more often than not and gettext ignores them at run time, so never keep a guess.
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        if english is None:
            entry.msgstr = ["" for _ in entry.msgstr] or [""]
            missing.append(entry)
            continue
        source = entry.msgid_plural or entry.msgid
        problems += [
            f"placeholders or HTML differ: {source!r} -> {text!r}"
            for text in english
            if placeholders(source) != placeholders(text)
        ]
        entry.msgstr = english
    return missing, problems


def main(argv: list[str]) -> int:
    entries = parse_po(PO_PATH.read_text("utf-8"))
    missing, problems = fill(entries)
    PO_PATH.write_text("\n\n".join(render(e) for e in entries) + "\n", "utf-8")
    known = {e.msgid for e in entries}
    unused = [k for k in [*EN, *PLURALS] if k not in known]
    messages = [e for e in entries if not e.obsolete and e.msgid]
    sys.stdout.write(
        f"{PO_PATH}: {len(messages) - len(missing)} of {len(messages)} messages in English\n"
    )
    for entry in missing:
        sys.stderr.write(f"  untranslated: {entry.msgid!r}\n")
    for problem in problems:
        sys.stderr.write(f"  {problem}\n")
    if unused:
        sys.stdout.write(f"  {len(unused)} entries of EN/PLURALS are no longer used in the code\n")
    if problems or ("--check" in argv and missing):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
