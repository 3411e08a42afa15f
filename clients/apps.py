from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "People"

    def ready(self) -> None:
        from clients import jobs  # noqa: F401  (registers the job handlers)
