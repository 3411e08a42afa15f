from django.db import migrations

# The anniversary of a date after N years, as retention.dates.add_years works it out:
# 29 February falls on 1 March in a year that has none (a record is never released a day
# early). IMMUTABLE and plain SQL, so PostgreSQL inlines it into the review list's query.
CREATE = """
CREATE OR REPLACE FUNCTION retention_add_years(day date, years integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN EXTRACT(MONTH FROM day) = 2 AND EXTRACT(DAY FROM day) = 29
             AND EXTRACT(DAY FROM (day + make_interval(years => years))) = 28
        THEN (day + make_interval(years => years))::date + 1
        ELSE (day + make_interval(years => years))::date
    END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS retention_add_years(date, integer);"


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_rules_holds_reviews_tombstones")]

    operations = [migrations.RunSQL(CREATE, DROP)]
