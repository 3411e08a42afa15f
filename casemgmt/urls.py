from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from casemgmt import notification_views, views, views_account, views_sessions

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("casemgmt.mfa.urls")),
    path("account/", views_account.account, name="account"),
    path("account/password/", views_account.password_change, name="account-password"),
    path("account/sessions/", views_sessions.session_list, name="session-list"),
    path("account/sessions/end/", views_sessions.session_end, name="session-end"),
    path("account/session/status/", views_sessions.session_status, name="session-status"),
    path(
        "account/session/keep-alive/", views_sessions.session_keep_alive, name="session-keep-alive"
    ),
    path(
        "staff/<int:user_id>/sessions/end/",
        views_sessions.user_sessions_end,
        name="user-sessions-end",
    ),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job-detail"),
    path("healthz/", views.healthz, name="healthz"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("admin/", admin.site.urls),
    path("people/", include("clients.urls")),
    path("people/", include("documents.urls")),
    path("work/", include("workflows.urls")),
    path("governance/", include("governance.urls")),
    path("retention/", include("retention.urls")),
    path("subject-access/", include("subject_access.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("clients.api_urls")),
    path("api/v1/", include("workflows.api_urls")),
]

# JSON under /api/, where a client expects it; the usual page elsewhere.
handler404 = "casemgmt.api.page_not_found"
