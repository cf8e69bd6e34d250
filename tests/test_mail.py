import smtplib

import pytest

from reflect.mail import is_transient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPDataError(451, b"try again later"), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"no such user")}), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (ValueError("template bug"), False),
    ],
)
def test_only_temporary_mail_failures_are_retried(error, transient):
    assert is_transient(error) is transient
