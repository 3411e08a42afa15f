"""Placeholder: replaced by the real views."""

from django.http import Http404, HttpRequest, HttpResponse


def merge_choose(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def merge_confirm(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404
