from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from casemgmt import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job-detail"),
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("people/", include("clients.urls")),
    path("work/", include("workflows.urls")),
    path("governance/", include("governance.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("clients.api_urls")),
    path("api/v1/", include("workflows.api_urls")),
]
