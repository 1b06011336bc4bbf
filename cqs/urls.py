from django.contrib import admin
from django.urls import include, path

from cqs.api import api
from cqs.core import views as core_views

admin.site.site_header = "CQS — Quản trị dữ liệu danh mục"
admin.site.site_title = "CQS"
admin.site.index_title = "Dữ liệu danh mục"

urlpatterns = [
    path("", include("cqs.portal.urls")),
    path("", include("cqs.accounts.urls")),
    path("", include("cqs.reports.urls")),  # /phan-anh/, /open311/v2/, /quan-tri/phan-anh/
    path("quan-tri/tro-ly/", include("cqs.assistant.urls")),
    path("", include("cqs.dashboard.urls")),  # /quan-tri/dieu-hanh/, /thong-ke/
    path("", include("cqs.signing.urls")),  # /xac-thuc-chu-ky/
    path("", include("cqs.payments.urls")),  # /thanh-toan/
    path("", include("cqs.documents.urls")),  # /quan-tri/van-ban/
    path("quan-tri/", include("cqs.backoffice.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/<path:rest>", core_views.api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
]

handler400 = "cqs.core.views.bad_request"
handler403 = "cqs.core.views.permission_denied"
handler404 = "cqs.core.views.page_not_found"
handler500 = "cqs.core.views.server_error"
