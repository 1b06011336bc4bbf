from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "cqs.payments"
    label = "payments"
    verbose_name = "Thanh toán, biên lai điện tử"
