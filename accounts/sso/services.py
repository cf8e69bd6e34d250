from django.db import transaction

from accounts.models import User
from accounts.sso.forms import OrganizationSSOForm
from accounts.sso.models import OrganizationSSO


def organization_sso_save(*, form: OrganizationSSOForm, changed_by: User) -> OrganizationSSO:
    """Save a validated form. ``changed_by`` is for the audit trail (issue 11 §3):
    record ``sso.changed`` here with the changed field names, never the secret."""
    with transaction.atomic():
        return form.save()
