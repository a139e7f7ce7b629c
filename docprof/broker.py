"""A guard for kombu's Redis transport (kombu 5.7.0): a Celery worker must outlive a broker restart.

When the connection to Redis is lost, Celery's consumer first `collect()`s the connection, which
drops the transport's client, and then closes it again; the second close asks the channel to put
its unacknowledged messages back (a running acks_late task's message), and the channel builds a
connection pool from the dropped client: `AttributeError: 'NoneType' object has no attribute
'hostname'` in `Channel._connparams`. The ack of that task when it ends takes the same path. An
AttributeError is not a connection error, so Celery calls it "Unrecoverable" and the worker exits.

The guard makes a channel whose connection is gone raise redis's ConnectionError, which kombu and
Celery handle: the close gives up restoring (the message stays in Redis's unacked set, restored
after the visibility timeout if Redis kept its data) and the late ack is logged ("Couldn't ack")
instead of killing the worker. A re-delivered job is skipped by the runner (it is complete), and
the watchdog re-drives any job whose message was lost.
workers/tests/test_broker_restart.py shows the worker surviving; docprof/tests/test_broker.py pins
the guarded call.
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

_connparams = kombu_redis.Channel._connparams


def _guarded_connparams(self, asynchronous=False):
    transport = self.connection
    if transport is None or transport.client is None:
        raise RedisConnectionError("the broker connection of this channel is closed")
    return _connparams(self, asynchronous=asynchronous)


def install() -> None:
    """Guard every kombu Redis channel of this process (docprof.celery calls it at import)."""
    kombu_redis.Channel._connparams = _guarded_connparams
