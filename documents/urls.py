from django.urls import URLPattern, path

from documents import casefile_urls, views, views_generated

app_name = "documents"

urlpatterns: list[URLPattern] = [
    path("<int:person_id>/documents/", views.document_list, name="document-list"),
    path("<int:person_id>/documents/upload/", views.document_upload, name="document-upload"),
    path(
        "<int:person_id>/documents/<int:document_id>/",
        views.document_detail,
        name="document-detail",
    ),
    path(
        "<int:person_id>/documents/<int:document_id>/new-version/",
        views.document_new_version,
        name="document-new-version",
    ),
    path(
        "<int:person_id>/documents/<int:document_id>/delete/",
        views.document_delete,
        name="document-delete",
    ),
    path(
        "<int:person_id>/documents/<int:document_id>/versions/<int:version_id>/download/",
        views.document_download,
        name="document-download",
    ),
    path(
        "<int:person_id>/documents/<int:document_id>/versions/<int:version_id>/preview/",
        views.document_preview,
        name="document-preview",
    ),
    path(
        "<int:person_id>/steps/<int:step_id>/generate/",
        views_generated.step_generate,
        name="step-generate",
    ),
    path(
        "<int:person_id>/documents/generating/<uuid:job_id>/",
        views_generated.generation_progress,
        name="generation-progress",
    ),
]

# The case file export (documents/casefile.py).
urlpatterns += casefile_urls.urlpatterns
