from django.urls import path

from cqs.assistant import views

app_name = "assistant"
urlpatterns = [
    path("", views.question_log, name="question_log"),
]
