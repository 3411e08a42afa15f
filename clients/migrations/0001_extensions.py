from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Trigram indexes power typo-tolerant name search."""

    dependencies: list = []

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
    ]
