import importlib

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _ensure_reference_data(sender: AppConfig, **kwargs: object) -> None:
    """Put back the relationship types, roles, alert and note types a council starts with.

    Migration 0003 loads them once; this keeps them after anything that empties the
    tables (a `flush`, as transactional tests do). It only adds what is missing.
    """
    if sender.label != "clients":
        return
    reference_data = importlib.import_module("clients.migrations.0003_reference_data")
    reference_data.forwards(global_apps, None)


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "People"

    def ready(self) -> None:
        from clients import jobs  # noqa: F401  (registers the job handlers)

        post_migrate.connect(_ensure_reference_data, dispatch_uid="clients.reference_data")
