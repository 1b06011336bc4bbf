from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cqs.audit"
    label = "audit"
    verbose_name = "Nhật ký hệ thống"
