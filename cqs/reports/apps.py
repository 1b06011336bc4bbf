from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cqs.reports"
    label = "reports"
    verbose_name = "Phản ánh hiện trường"
