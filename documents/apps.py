import importlib

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def _ensure_categories(sender: AppConfig, **kwargs: object) -> None:
    """Put back the document categories a council starts with (after a flush, as in tests)."""
    if sender.label != "documents":
        return
    initial = importlib.import_module("documents.migrations.0001_documents_and_versions")
    initial.add_categories(global_apps, None)


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from clients.extensions import register_note_action, register_person_section
        from documents import generation  # noqa: F401  (registers the generation job)
        from documents.person_section import attach_to_note, documents_section

        register_person_section(
            "documents",
            template="documents/person_section.html",
            provider=documents_section,
            order=20,
        )
        register_note_action("documents", provider=attach_to_note, order=10)
        post_migrate.connect(_ensure_categories, dispatch_uid="documents.categories")
        from documents import casefile_job  # noqa: F401  (registers the case file export job)
