"""Feedback and sign-off, only with the author's consent (issue 14 §2).

The author of a finished reflection shares it, by name, with one person of the
organisation (a supervisor, tutor, educational supervisor or NMC discussion partner);
that person alone reads it, writes feedback (encrypted at rest) and may sign off that a
reflective discussion took place, against that exact version of the reflection
(``versions``). The author may withdraw a share at any time: the reader loses access at
once, and what they wrote stays with the author. Admins see only k-anonymous counts."""
