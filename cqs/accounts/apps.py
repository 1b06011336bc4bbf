from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cqs.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và vai trò"
