from django.urls import URLPattern, URLResolver, path

from retention import views

app_name = "retention"

urlpatterns: list[URLPattern | URLResolver] = [
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<int:review_id>/", views.review_detail, name="review-detail"),
    path("destructions/<uuid:job_id>/", views.destruction, name="destruction"),
    path("destroyed/", views.tombstone_list, name="tombstone-list"),
    path("holds/", views.hold_list, name="hold-list"),
    path("people/<int:person_id>/", views.person_retention, name="person"),
    path("people/<int:person_id>/holds/new/", views.hold_create, name="hold-create"),
    path(
        "people/<int:person_id>/holds/<int:hold_id>/release/",
        views.hold_release,
        name="hold-release",
    ),
]
