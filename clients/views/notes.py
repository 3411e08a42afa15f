"""Placeholder: replaced by the real views."""

from django.http import Http404, HttpRequest, HttpResponse


def note_list(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def note_create(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def note_detail(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def note_edit(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def note_finalise(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404


def note_amend(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404
