from django.db import migrations

FORWARD = """
CREATE TRIGGER casemgmt_auditseal_append_only
    BEFORE UPDATE OR DELETE ON casemgmt_auditseal
    FOR EACH ROW EXECUTE FUNCTION casemgmt_audit_refuse_change();
"""

REVERSE = "DROP TRIGGER IF EXISTS casemgmt_auditseal_append_only ON casemgmt_auditseal;"


class Migration(migrations.Migration):
    """Seals of the audit chain are as append-only as the events they seal."""

    dependencies = [("casemgmt", "0003_audit_seals")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
