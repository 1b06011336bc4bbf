from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cqs.dashboard"
    verbose_name = "Điều hành (chỉ số 766)"
