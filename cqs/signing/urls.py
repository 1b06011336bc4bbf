from django.urls import URLPattern, URLResolver, path

from cqs.signing import views

app_name = "signing"

urlpatterns: list[URLPattern | URLResolver] = [
    path("xac-thuc-chu-ky/", views.verify_page, name="verify"),
]
