import importlib

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _ensure_default_rules(sender: AppConfig, **kwargs: object) -> None:
    """Put back the shipped rules when there are none at all (after a flush, as in tests).

    Only an empty table is filled: a council's renamed or deactivated rules stay as they are.
    """
    if sender.label != "retention":
        return
    defaults = importlib.import_module("retention.migrations.0003_default_rules")
    if not global_apps.get_model("retention", "RetentionRule").objects.exists():
        defaults.forwards(global_apps, None)


class RetentionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "retention"
    verbose_name = "Records retention"

    def ready(self) -> None:
        from retention import erasure  # noqa: F401  (registers the destruction job)

        post_migrate.connect(_ensure_default_rules, dispatch_uid="retention.default_rules")
