from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cqs.core"
    label = "core"
    verbose_name = "Lõi hệ thống"
