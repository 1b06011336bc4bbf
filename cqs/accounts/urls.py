from django.urls import path

from cqs.accounts import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-nhap/dinh-danh-dien-tu/", views.oidc_start, name="oidc_start"),
    path("dang-nhap/dinh-danh-dien-tu/ket-qua/", views.oidc_callback, name="oidc_callback"),
    path("dang-ky/", views.register, name="register"),
    path("dang-ky/xac-thuc/", views.verify, name="verify"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", views.home, name="home"),
]
