"""Back-office page /quan-tri/tro-ly/: questions the assistant could not answer well."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from cqs.assistant.selectors import question_log_frequent, question_log_weak


def question_log(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    show_all = request.GET.get("tat-ca") == "1"
    qs = question_log_weak(user=request.user, only_unanswered=not show_all)
    page = Paginator(qs, 50).get_page(request.GET.get("trang"))
    frequent = question_log_frequent(user=request.user)
    return render(
        request,
        "assistant/question_log.html",
        {"page": page, "frequent": frequent, "show_all": show_all},
    )
