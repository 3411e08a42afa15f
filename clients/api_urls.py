"""The REST API, under /api/v1/ (the OpenAPI schema is at /api/v1/schema/)."""

from django.urls import path

from clients import api

urlpatterns = [
    path("people/", api.PeopleApi.as_view(), name="api-people"),
    path("people/<int:person_id>/", api.PersonApi.as_view(), name="api-person"),
]
