from django.urls import URLPattern, URLResolver, path

from cqs.payments import views

app_name = "payments"

urlpatterns: list[URLPattern | URLResolver] = [
    path("thanh-toan/vnpay/ket-qua/", views.gateway_return, name="return"),
    path("thanh-toan/vnpay/ipn", views.ipn, name="ipn"),
    path("thanh-toan/<str:code>/", views.start, name="start"),
    path("bien-lai/<int:receipt_id>.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("bien-lai/xac-minh/<str:code>/", views.receipt_verify, name="receipt_verify"),
    path("sandbox-vnpay/paymentv2/vpcpay.html", views.sandbox_pay, name="sandbox"),
    path("sandbox-vnpay/merchant_webapi/api/transaction", views.sandbox_api, name="sandbox_api"),
    path("quan-tri/thanh-toan/doi-soat/", views.reconciliation_view, name="reconciliation"),
    path("quan-tri/thanh-toan/<str:code>/thu-tai-quay/", views.counter, name="counter"),
    path("quan-tri/thanh-toan/giao-dich/<str:txn_ref>/kiem-tra/", views.query, name="query"),
]
