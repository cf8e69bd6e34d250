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


class _ApiError(Exception):
    def __init__(self, status_code):
        super().__init__("api error")
        self.status_code = status_code


@pytest.mark.parametrize(("status", "transient"), [(429, True), (503, True), (400, False), (401, False)])
def test_http_email_api_errors_retry_only_when_temporary(status, transient):
    assert is_transient(_ApiError(status)) is transient
