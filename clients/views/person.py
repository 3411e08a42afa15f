"""Placeholder: replaced by the real views."""

from django.http import Http404, HttpRequest, HttpResponse


def person_detail(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def person_edit(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def address_add(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def name_add(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404
