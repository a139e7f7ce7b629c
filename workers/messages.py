"""What a person reads when a step fails. Never URLs, hosts or raw provider bodies: those go to
`error_detail` only."""

from __future__ import annotations

import django.db
import kombu.exceptions
import redis.exceptions

from docprof.ai import errors as ai

# Infrastructure errors inside a step that are worth retrying: the broker/Redis or the database
# restarting. The runner retries the step with backoff before it gives up.
QUEUE_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
DATABASE_ERRORS = (django.db.OperationalError, django.db.InterfaceError)
TRANSIENT = QUEUE_ERRORS + DATABASE_ERRORS

AI_REASONS = [
    (ai.Throttled, "the language model is refusing requests for now (rate limit)"),
    (ai.Timeout, "the language model did not answer in time"),
    (ai.Unavailable, "the language model service is unavailable"),
    (ai.ContextTooLong, "the request was too long for the language model"),
    (ai.ContentFiltered, "the language model's content filter stopped the answer"),
    (ai.InvalidRequest, "the language model rejected the request (check the model id)"),
    (ai.AccessDenied, "access to the language model was denied (check credentials and model access)"),
    (ai.OutputTruncated, "the language model's answer was cut off"),
    (ai.StructuredOutputError, "the language model's answer was not in the expected format"),
    (ai.NotConfigured, "the language model is not configured correctly"),
]


def is_ai_error(exc: BaseException) -> bool:
    return isinstance(exc, ai.AIError)


def transient(label: str, exc: BaseException) -> str:
    cause = (
        "the task queue was unreachable" if isinstance(exc, QUEUE_ERRORS) else "the database was unreachable"
    )
    return f"{label} failed because {cause}. Resume to try again."


def unexpected(label: str, exc: BaseException) -> str:
    for cls, reason in AI_REASONS:
        if isinstance(exc, cls):
            return f"{label} failed: {reason}. Resume to try again."
    if isinstance(exc, ai.AIError):
        return f"{label} failed: the language model call failed. Resume to try again."
    return f"Something went wrong while {label[0].lower() + label[1:]}. Resume to try again."
