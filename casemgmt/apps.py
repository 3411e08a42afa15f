from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: object) -> None:
    if sender.label != "casemgmt":
        return
    from django.contrib.auth.management import create_permissions

    from casemgmt.roles import sync_default_roles

    # Permissions of every app must exist before groups can be given them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))  # type: ignore[arg-type]
    sync_default_roles()


class CasemgmtConfig(AppConfig):
    name = "casemgmt"
    verbose_name = "Staff, teams and audit"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, dispatch_uid="casemgmt.sync_roles")
        from casemgmt import permission_cache

        permission_cache.connect_signals()
