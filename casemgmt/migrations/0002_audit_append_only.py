from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION casemgmt_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER casemgmt_auditevent_append_only
    BEFORE UPDATE OR DELETE ON casemgmt_auditevent
    FOR EACH ROW EXECUTE FUNCTION casemgmt_audit_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS casemgmt_auditevent_append_only ON casemgmt_auditevent;
DROP FUNCTION IF EXISTS casemgmt_audit_refuse_change();
"""


class Migration(migrations.Migration):
    """The database itself refuses to edit or delete an audit row."""

    dependencies = [("casemgmt", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
