from django.urls import path

from cqs.backoffice import dossier_views, views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("co-quan/", views.agencies, name="agencies"),
    path("thu-tuc/", views.catalogue, name="catalogue"),
    path("thu-tuc/xuat.<str:fmt>", views.catalogue_export_view, name="catalogue_export"),
    path("lich-lam-viec/", views.calendar, name="calendar"),
    path("nhat-ky/", views.audit_log, name="audit"),
    path("ho-so/", dossier_views.dossier_inbox, name="inbox"),
    path("ho-so/tiep-nhan/", dossier_views.dossier_intake, name="intake"),
    path(
        "phieu-tai-quay/<int:notice_id>.pdf",
        dossier_views.intake_notice_pdf,
        name="intake_notice_pdf",
    ),
    path("ho-so/<str:code>/", dossier_views.dossier_detail, name="dossier_detail"),
    path(
        "ho-so/<str:code>/phieu/<str:kind>.pdf", dossier_views.dossier_form_pdf, name="dossier_form"
    ),
    path("ho-so/<str:code>/tep/<int:file_id>", dossier_views.dossier_file, name="dossier_file"),
    path("ho-so/<str:code>/ky-so/", dossier_views.dossier_sign, name="dossier_sign"),
]
