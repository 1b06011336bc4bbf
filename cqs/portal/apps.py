from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "cqs.portal"
    label = "portal"
    verbose_name = "Cổng dịch vụ công"
