from django.urls import URLPattern, URLResolver, path

from subject_access import views, views_review

app_name = "subject_access"

_person = "<int:sar_id>/people/<int:person_id>"
_item = f"{_person}/items/<int:item_id>"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.request_list, name="request-list"),
    path("new/", views.request_create, name="request-create"),
    path("<int:sar_id>/", views.request_detail, name="request-detail"),
    path("<int:sar_id>/edit/", views.request_edit, name="request-edit"),
    path("<int:sar_id>/identity/", views.identity_record, name="identity"),
    path("<int:sar_id>/pause/", views.pause_start, name="pause-start"),
    path("<int:sar_id>/pause/answered/", views.pause_end, name="pause-end"),
    path("<int:sar_id>/start/", views.work_start, name="work-start"),
    path("<int:sar_id>/extend/", views.deadline_extend, name="extend"),
    path("<int:sar_id>/close/", views.request_close, name="close"),
    path("<int:sar_id>/people/", views.subject_find, name="subject-find"),
    path(f"{_person}/remove/", views.subject_remove, name="subject-remove"),
    path(f"{_person}/gather/", views.subject_gather, name="gather"),
    path("<int:sar_id>/send-for-review/", views.review_send, name="send-for-review"),
    path(f"{_person}/review/", views_review.review_page, name="review"),
    path(f"{_person}/review/release-page/", views_review.items_release, name="items-release"),
    path(
        f"{_person}/review/redact-everywhere/",
        views_review.redact_everywhere,
        name="redact-everywhere",
    ),
    path(f"{_item}/decision/", views_review.item_decide, name="item-decide"),
    path(f"{_item}/redactions/", views_review.redaction_add, name="redaction-add"),
    path(
        f"{_item}/redactions/<int:redaction_id>/remove/",
        views_review.redaction_remove,
        name="redaction-remove",
    ),
    path(f"{_item}/original/", views_review.item_original, name="item-original"),
    path(f"{_item}/redacted-copy/", views_review.redacted_copy, name="redacted-copy"),
    path("<int:sar_id>/sign-off/", views_review.sign_off, name="sign-off"),
    path("<int:sar_id>/reopen/", views_review.review_reopen, name="reopen"),
    path("<int:sar_id>/release/", views_review.release_record, name="release"),
    path(
        f"{_person}/disclosure.<str:which>",
        views_review.bundle_download,
        name="bundle-download",
    ),
]
