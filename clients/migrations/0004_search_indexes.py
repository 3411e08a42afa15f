from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for search: drop the GiST name index, add one for ids from other systems.

    With both a GIN and a GiST trigram index on Person.search_name, PostgreSQL chose GiST
    for the `%` operator, and at 1M people a typo-tolerant name search took 150-550 ms
    instead of 5-60 ms; GiST's one advantage, `<->` distance ordering, was slower still.
    Search also finds a person by an id from another system whatever the system, which
    the (system, value) unique index cannot serve.
    """

    dependencies = [("clients", "0003_reference_data")]

    operations = [
        migrations.RemoveIndex(model_name="person", name="person_name_trgm_gist"),
        migrations.AddIndex(
            model_name="personidentifier",
            index=models.Index(fields=["value"], name="identifier_value"),
        ),
    ]
