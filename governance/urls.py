from django.urls import URLPattern, URLResolver, path

from governance import views

app_name = "governance"
urlpatterns: list[URLPattern | URLResolver] = [
    path("users/<int:user_id>/access/", views.user_access, name="user-access"),
    path("flags/", views.flag_list, name="flag-list"),
    path("flags/<int:flag_id>/", views.flag_detail, name="flag-detail"),
]
