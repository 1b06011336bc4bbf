from django.urls import URLPattern, URLResolver, path

from cqs.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("lien-thong/edxml/", views.edxml_receive, name="edxml_receive"),
    path("quan-tri/van-ban/", views.document_home, name="home"),
    path("quan-tri/van-ban/den/moi/", views.incoming_new, name="incoming_new"),
    path("quan-tri/van-ban/di/moi/", views.outgoing_new, name="outgoing_new"),
    path("quan-tri/van-ban/lien-thong/", views.exchange_admin, name="exchange"),
    path("quan-tri/van-ban/<int:pk>/", views.document_detail, name="detail"),
    path("quan-tri/van-ban/<int:pk>/tep/<int:file_id>/", views.document_file, name="file"),
    path("quan-tri/nhiem-vu/", views.task_home, name="tasks"),
    path("quan-tri/nhiem-vu/<int:pk>/", views.task_detail, name="task"),
]
