"""X-5 (issue 13 §6): :func:`profmaster.core.db.retry_on_disconnect` runs a write once more only when the
connection is gone — never on a serialization failure, a deadlock or a constraint violation, never inside an
outer transaction, and once in all when decorated functions call each other."""

from __future__ import annotations

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, transaction

from profmaster.core.db import connection_lost, retry_on_disconnect


def _django_error(cause: Exception) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def _failing(*errors: Exception):
    calls: list[int] = []

    @retry_on_disconnect
    def write() -> str:
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "записано"

    return write, calls


@pytest.mark.parametrize("cause", [psycopg.errors.AdminShutdown("terminating connection due to administrator"),
                                   psycopg.errors.ConnectionFailure("connection failure"),
                                   psycopg.errors.CannotConnectNow("the database system is starting up")])
def test_x5_a_terminated_session_is_a_lost_connection_and_retried_once(cause):
    assert connection_lost(_django_error(cause))
    write, calls = _failing(_django_error(cause))
    assert (write(), len(calls)) == ("записано", 2)


@pytest.mark.parametrize("cause", [psycopg.errors.SerializationFailure("could not serialize access"),
                                   psycopg.errors.DeadlockDetected("deadlock detected")])
def test_x5_serialization_failures_and_deadlocks_are_not_retried(cause):
    assert not connection_lost(_django_error(cause))
    write, calls = _failing(_django_error(cause))
    with pytest.raises(OperationalError):
        write()
    assert len(calls) == 1


def test_x5_constraint_violations_are_not_retried():
    write, calls = _failing(IntegrityError("duplicate key"))
    with pytest.raises(IntegrityError):
        write()
    assert len(calls) == 1


def test_x5_a_second_loss_goes_up_to_the_caller():
    lost = _django_error(psycopg.errors.AdminShutdown("terminating connection"))
    write, calls = _failing(lost, lost)
    with pytest.raises(OperationalError):
        write()
    assert len(calls) == 2


def test_x5_nothing_is_retried_inside_an_outer_transaction(db):
    write, calls = _failing(_django_error(psycopg.errors.AdminShutdown("terminating connection")))
    with pytest.raises(OperationalError), transaction.atomic():
        write()
    assert len(calls) == 1


def test_x5_nested_retrying_functions_retry_once_in_all():
    lost = _django_error(psycopg.errors.AdminShutdown("terminating connection"))
    inner, inner_calls = _failing(lost, lost, lost)

    @retry_on_disconnect
    def outer() -> str:
        return inner()

    with pytest.raises(OperationalError):
        outer()
    assert len(inner_calls) == 2
