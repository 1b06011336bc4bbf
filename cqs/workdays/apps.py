from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "cqs.workdays"
    label = "workdays"
    verbose_name = "Lịch làm việc"
