from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "casemgmt.mfa"
    label = "mfa"
    verbose_name = "Multi-factor authentication"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from casemgmt.mfa import checks  # noqa: F401  (registers the system checks)
        from casemgmt.mfa.middleware import device_changed

        for model in (TOTPDevice, StaticDevice):
            post_save.connect(
                device_changed, sender=model, dispatch_uid=f"mfa.{model.__name__}.save"
            )
            post_delete.connect(
                device_changed, sender=model, dispatch_uid=f"mfa.{model.__name__}.delete"
            )
