from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "cqs.signing"
    label = "signing"
    verbose_name = "Chữ ký số"
