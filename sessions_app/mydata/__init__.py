"""A person's own data across organisations: the export (``export``), its Markdown
rendering (``markdown``) and deleting the account (``deletion``), mounted at ``/me/data/``.

The top of the dependency direction: it reads every other package's rows and nothing
imports it.
"""
