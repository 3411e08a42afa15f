from django.urls import URLPattern, path

from documents import casefile_views

urlpatterns: list[URLPattern] = [
    path(
        "<int:person_id>/case-file/",
        casefile_views.casefile_request,
        name="casefile-request",
    ),
    path(
        "<int:person_id>/case-file/<uuid:job_id>/",
        casefile_views.casefile_status,
        name="casefile-status",
    ),
]
