"""Placeholder: replaced by the real views."""

from django.http import Http404, HttpRequest, HttpResponse


def person_search(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def person_create(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404
