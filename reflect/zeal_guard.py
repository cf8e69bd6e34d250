"""The N+1 guard of the test suite (issue 15); settings.py installs it only under test.

django-zeal raises ``NPlusOneError`` where the same relation, deferred field or ``.get()``
is loaded again and again from one line of code. Its middleware gives every request a
context of its own; this app gives every Celery task run one (eager in the tests, and in
the worker processes that the integration and chaos tests start), and tests/conftest.py
wraps every test in one.

A raise can be hidden: the dispatcher fails one row and goes on, Celery keeps an eager
task's error in its result, the browser tests' live server answers 500 in its own thread.
So every detection is also written down in ``detected``, and the test that caused it
fails afterwards however the raise was caught.
"""

import sys

from celery.signals import task_postrun, task_prerun
from django.apps import AppConfig
from zeal import NPlusOneError, setup, teardown
from zeal.signals import nplusone_detected

# What zeal found in this process, newest last (the tests read and clear it).
detected: list[str] = []

# Per running task id, the token that restores the context around it (an eager task may
# run inside a test's or another task's context, and must give it back unchanged).
_task_tokens: dict[str, object] = {}


def _task_started(task_id: str | None = None, **_kwargs) -> None:
    if task_id is not None:
        _task_tokens[task_id] = setup()


def _task_finished(task_id: str | None = None, **_kwargs) -> None:
    token = _task_tokens.pop(task_id, None) if task_id is not None else None
    if token is not None:  # teardown(None) would switch off the caller's context too
        teardown(token)


def _record_and_raise(sender, exception: NPlusOneError, **_kwargs) -> None:
    # zeal sends this signal instead of raising when ZEAL_RAISE is off (settings.py): the
    # raise happens here all the same, after a note that no except clause can undo.
    error = NPlusOneError(f"{exception} at {_caller()}")
    detected.append(str(error))
    raise error


def _caller() -> str:
    # The signal's exception lacks the place zeal found: the first frame of our own code.
    frame = sys._getframe(1)
    while frame.f_back is not None and (
        frame.f_code.co_filename == __file__ or "-packages" in frame.f_code.co_filename
    ):
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


class ZealGuardConfig(AppConfig):
    name = "reflect.zeal_guard"
    label = "zeal_guard"

    def ready(self) -> None:
        task_prerun.connect(_task_started, weak=False, dispatch_uid="zeal_guard_prerun")
        task_postrun.connect(_task_finished, weak=False, dispatch_uid="zeal_guard_postrun")
        nplusone_detected.connect(_record_and_raise, weak=False, dispatch_uid="zeal_guard_record")
