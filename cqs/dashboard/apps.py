from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cqs.dashboard"
    verbose_name = "Điều hành (chỉ số 766)"

    def ready(self) -> None:
        from cqs.dashboard import rollups
        from cqs.dossiers.signals import dossier_changed, dossiers_imported

        # Derived data only: the rollups follow each dossier event in its transaction.
        dossier_changed.connect(rollups.on_dossier_changed, dispatch_uid="dashboard.rollups")
        dossiers_imported.connect(rollups.on_dossiers_imported, dispatch_uid="dashboard.import")
