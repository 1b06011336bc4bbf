from django.urls import path

from cqs.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("quan-tri/dieu-hanh/", views.index, name="index"),
    path("quan-tri/dieu-hanh/ho-so/", views.dossier_list, name="dossiers"),
    path("quan-tri/dieu-hanh/man-hinh/", views.wall, name="wall"),
    path("thong-ke/", views.public, name="public"),
]
