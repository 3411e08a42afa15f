from django.urls import URLPattern, URLResolver

app_name = "subject_access"

urlpatterns: list[URLPattern | URLResolver] = []
