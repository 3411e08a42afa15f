"""Placeholder: replaced by the real views."""

from django.http import Http404, HttpRequest, HttpResponse


def relationship_list(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def relationship_add(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def relationship_end(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def involvement_add(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def involvement_end(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def alert_add(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def alert_end(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def group_add(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404
