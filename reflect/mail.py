"""What counts as a transient e-mail failure: worth a bounded retry, unlike a refused
recipient or a rejected message, which will fail the same way every time."""

import smtplib

TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    if isinstance(error, TRANSIENT_ERRORS):
        return True
    # 4xx replies ("mailbox busy", "try again later") are temporary by definition (RFC 5321).
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    # HTTP e-mail APIs (django-anymail): rate limits and server errors pass; 4xx do not.
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return status == 429 or status >= 500
    return False
