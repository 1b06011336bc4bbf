from django.urls import path

from cqs.dashboard import plan_views, views

app_name = "dashboard"

urlpatterns = [
    path("quan-tri/dieu-hanh/", views.index, name="index"),
    path("quan-tri/dieu-hanh/ho-so/", views.dossier_list, name="dossiers"),
    path("quan-tri/dieu-hanh/man-hinh/", views.wall, name="wall"),
    path("quan-tri/dieu-hanh/ban-do-nhiet/", plan_views.heat_map, name="heat"),
    path("quan-tri/dieu-hanh/ke-hoach/", plan_views.plan_index, name="plan"),
    path("quan-tri/dieu-hanh/ke-hoach/chi-tieu/", plan_views.target_save, name="target_save"),
    path(
        "quan-tri/dieu-hanh/ke-hoach/chi-tieu/<str:code>/bao-cao/",
        plan_views.target_report,
        name="target_report",
    ),
    path("quan-tri/dieu-hanh/ke-hoach/vuong-mac/", plan_views.blocker_add, name="blocker_add"),
    path(
        "quan-tri/dieu-hanh/ke-hoach/vuong-mac/<int:pk>/thao-go/",
        plan_views.blocker_resolve,
        name="blocker_resolve",
    ),
    path("thong-ke/", views.public, name="public"),
]
