"""gunicorn reads this file when started from the project's folder (its default config).

Only logging is set here; workers, bind and the rest stay on the command line.
"""

import logging

from reflect.logmasks import MaskSecretTokens


def post_fork(server, worker):
    # gunicorn logs requests to its own loggers, outside Django's LOGGING: mask the
    # calendar-feed, invitation and reset tokens in their paths there too.
    for name in ("gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskSecretTokens) for f in logger.filters):
            logger.addFilter(MaskSecretTokens())
