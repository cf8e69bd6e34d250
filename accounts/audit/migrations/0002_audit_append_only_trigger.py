"""On PostgreSQL, the audit table refuses UPDATE and DELETE from anyone, the ORM and a
psql session alike. The one exception is the retention purge: inside its transaction it
sets ``reflect.audit_purge = 'on'`` and ``reflect.audit_purge_before`` (a timestamp),
and then only rows older than that timestamp may be deleted. SQLite has no such
trigger; there the application's own refusals (model and queryset) stand alone."""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('reflect.audit_purge', true) = 'on'
       AND coalesce(current_setting('reflect.audit_purge_before', true), '') <> ''
       AND OLD.occurred_at < current_setting('reflect.audit_purge_before', true)::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_event")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
