from django.db import transaction

from accounts.models import User
from accounts.sso import audit
from accounts.sso.forms import OrganizationSSOForm
from accounts.sso.models import OrganizationSSO


def organization_sso_save(*, form: OrganizationSSOForm, changed_by: User, request=None) -> OrganizationSSO:
    """Save a validated form, and record what changed (old and new values; for the
    client secret and the metadata XML only that they changed) in the same transaction."""
    changes = audit.settings_changes(form)
    with transaction.atomic():
        sso = form.save()
        audit.settings_changed(organization=sso.organization, actor=changed_by, changes=changes, request=request)
        return sso
