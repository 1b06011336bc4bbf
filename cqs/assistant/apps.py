from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "cqs.assistant"
    label = "assistant"
    verbose_name = "Trợ lý ảo"
    default_auto_field = "django.db.models.BigAutoField"
