from django.urls import path

from cqs.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.home, name="home"),
    path("co-quan/", views.agencies, name="agencies"),
    path("thu-tuc/", views.catalogue, name="catalogue"),
    path("thu-tuc/xuat.<str:fmt>", views.catalogue_export_view, name="catalogue_export"),
    path("lich-lam-viec/", views.calendar, name="calendar"),
    path("nhat-ky/", views.audit_log, name="audit"),
]
