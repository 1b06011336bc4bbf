from django.urls import path, re_path

from cqs.reports import open311, views

app_name = "reports"

FMT = r"\.(?P<fmt>[a-z]{1,10})$"
urlpatterns = [
    path("open311/v2/", open311.root, name="open311_root"),
    re_path(r"^open311/v2/discovery" + FMT, open311.discovery, name="open311_discovery"),
    re_path(r"^open311/v2/services" + FMT, open311.services, name="open311_services"),
    re_path(
        r"^open311/v2/services/(?P<service_code>[\w-]{1,60})" + FMT,
        open311.service_definition,
        name="open311_service",
    ),
    re_path(r"^open311/v2/requests" + FMT, open311.requests, name="open311_requests"),
    re_path(
        r"^open311/v2/requests/(?P<request_id>[\w-]{1,40})" + FMT,
        open311.request_detail,
        name="open311_request",
    ),
    re_path(
        r"^open311/v2/servicerequestupdates" + FMT,
        open311.request_updates,
        name="open311_updates",
    ),
    re_path(
        r"^open311/v2/tokens/(?P<token>[\w-]{1,80})" + FMT,
        open311.token_detail,
        name="open311_token",
    ),
]

urlpatterns += [
    path("phan-anh/", views.report_list, name="list"),
    path("phan-anh/gui/", views.report_new, name="new"),
    path("phan-anh/goi-y/", views.report_nearby, name="nearby"),
    path("phan-anh/theo-doi/", views.report_lookup, name="lookup"),
    path("phan-anh/theo-doi/<str:code>/", views.report_track, name="track"),
    path("phan-anh/anh/<str:code>/<int:photo_id>", views.report_photo, name="photo"),
    path("quan-tri/phan-anh/", views.staff_queue, name="staff_queue"),
    path("quan-tri/phan-anh/khoa-open311/", views.staff_open311_keys, name="staff_keys"),
    path("quan-tri/phan-anh/<str:code>/", views.staff_detail, name="staff_detail"),
    path("quan-tri/phan-anh/<str:code>/anh/<int:photo_id>", views.staff_photo, name="staff_photo"),
]
