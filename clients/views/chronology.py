"""Placeholder: replaced by the real views."""

from django.http import Http404, HttpRequest, HttpResponse


def chronology_list(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def chronology_add(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def chronology_hide(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def chronology_export(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def access_log(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404
