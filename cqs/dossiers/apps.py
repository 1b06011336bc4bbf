from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "cqs.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        # registers the dashboard's "results signed" denominator with cqs.signing
        from cqs.dossiers import signatures  # noqa: F401
