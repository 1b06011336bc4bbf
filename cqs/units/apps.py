from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "cqs.units"
    label = "units"
    verbose_name = "Đơn vị hành chính và cơ quan"
