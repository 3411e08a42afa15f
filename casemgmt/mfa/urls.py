from django.urls import path

from casemgmt.mfa import views

urlpatterns = [
    path("verify/", views.verify, name="mfa-verify"),
    path("set-up/", views.setup, name="mfa-setup"),
    path("recovery-codes/", views.recovery_codes, name="mfa-recovery-codes"),
    path("security/", views.account_security, name="account-security"),
    path("security/confirm/", views.reauthenticate, name="mfa-reauthenticate"),
    path("security/authenticator/", views.replace, name="mfa-replace"),
    path("security/recovery-codes/", views.recovery_codes_create, name="mfa-recovery-codes-create"),
]
