from django.urls import path

from cqs.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/", views.procedure_list, name="procedure_list"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("ca-nhan/", views.citizen_home, name="citizen_home"),
    path("tra-cuu/", views.lookup, name="lookup"),
]
