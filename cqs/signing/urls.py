from django.urls import URLPattern, URLResolver

app_name = "signing"

urlpatterns: list[URLPattern | URLResolver] = []
