"""docprof.broker: a kombu Redis channel whose connection is gone raises a connection error, which
Celery handles, instead of an AttributeError, which makes a worker exit (kombu 5.7)."""

import pytest
from django.conf import settings
from kombu import Connection
from redis.exceptions import ConnectionError as RedisConnectionError

from docprof import broker


@pytest.fixture
def guarded():
    broker.install()  # done by docprof.celery in every process; again here in case of test order


def test_the_ack_of_a_message_from_a_closed_connection_is_a_connection_error(guarded, embedded_redis):
    connection = Connection(settings.CELERY_BROKER_URL)
    channel = connection.default_channel
    errors = connection.connection_errors
    connection.collect()  # what Celery's consumer does when it loses the broker
    # a task that was running then ends, and its late ack goes through the old channel
    with pytest.raises(RedisConnectionError) as raised:
        channel.qos.ack("a-delivery-tag")
    assert isinstance(raised.value, errors)  # so kombu logs "Couldn't ack" and the worker goes on
