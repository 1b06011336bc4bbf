from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cqs.notifications"
    label = "notifications"
    verbose_name = "Thông báo"
