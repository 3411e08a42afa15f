from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self) -> None:
        # The statutory fact writers register themselves on import.
        from clients.extensions import register_person_section
        from workflows import facts  # noqa: F401
        from workflows.person_section import work_section

        register_person_section(
            "work", template="workflows/person_section.html", provider=work_section, order=10
        )
