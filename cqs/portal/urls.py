from django.urls import path

from cqs.portal import citizen_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedure_list, name="procedure_list"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("thu-tuc/<str:code>/mau/<int:position>/", views.procedure_form, name="procedure_form"),
    path("thu-tuc/<str:code>/nop-truc-tuyen/", citizen_views.submit, name="submit"),
    path("ca-nhan/", views.citizen_home, name="citizen_home"),
    path("ca-nhan/ho-so/", citizen_views.dossier_list, name="my_dossiers"),
    path("ca-nhan/ho-so/<str:code>/", citizen_views.dossier_detail, name="my_dossier"),
    path(
        "ca-nhan/ho-so/<str:code>/tep/<int:file_id>/",
        citizen_views.dossier_file,
        name="my_dossier_file",
    ),
    path("ca-nhan/nhap/<int:draft_id>/xoa/", citizen_views.draft_delete, name="draft_delete"),
    path("ca-nhan/kho-du-lieu/", citizen_views.repository, name="repository"),
    path("tra-cuu/", views.lookup, name="lookup"),
]
