"""Our own exceptions for everything that can go wrong talking to a model.

Providers map their errors onto these. `Throttled`, `Timeout` and `Unavailable` are
retryable (with backoff and jitter); the rest are not and carry a message a person can act on.
"""


class AIError(Exception):
    """Base class. `retryable` says whether trying again later can help."""

    retryable = False


class Throttled(AIError):
    """The provider (or our own shared rate limiter) refused for now: too many requests/tokens."""

    retryable = True


class Timeout(AIError):
    """The provider did not answer in time."""

    retryable = True


class Unavailable(AIError):
    """The provider or model is down, overloaded or unreachable."""

    retryable = True


class InvalidRequest(AIError):
    """The request is malformed or the model id is wrong; retrying will not help."""


class ContextTooLong(InvalidRequest):
    """The prompt (plus max_tokens) does not fit the model's context window."""


class ContentFiltered(InvalidRequest):
    """The provider's guardrail or content filter stopped the answer."""


class AccessDenied(AIError):
    """Missing or wrong credentials, or the model is not enabled for this account/region."""


class OutputTruncated(AIError):
    """The model stopped at max_tokens; the output is incomplete (never used as if it were whole)."""


class StructuredOutputError(AIError):
    """The model's output did not validate against the schema, even after one repair request."""


class NotConfigured(AIError):
    """A provider was chosen in settings but a required setting or package is missing."""


RETRYABLE = (Throttled, Timeout, Unavailable)
