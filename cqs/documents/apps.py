from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "cqs.documents"
    label = "documents"
    verbose_name = "Văn bản và điều hành"
