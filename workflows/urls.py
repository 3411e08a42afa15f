from django.urls import include, path

urlpatterns = [
    path("", include("workflows.urls_steps")),
    path("", include("workflows.urls_trays")),
]
