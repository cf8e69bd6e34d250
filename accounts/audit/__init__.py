"""The audit trail (issue 11): who did what in an organisation, when, from where.

Callers use ``record(*, organization, actor, action, target="", changes=None, request=None)``
with an ``AuditAction``; admins read the trail at ``/o/<slug>/admin/audit/``.

This package is also a Django app, whose ``__init__`` may not import models while
apps load; the names below are therefore resolved on first use (PEP 562).
"""

import importlib

_EXPORTS = {
    "AuditAction": "accounts.audit.models",
    "AuditEvent": "accounts.audit.models",
    "record": "accounts.audit.services",
    "record_for_person": "accounts.audit.services",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
