"""Job kinds: what a domain app declares so the one runner can drive its background work.

A kind names its ordered steps, the exceptions it expects (mapped to what a person reads) and hooks
that set the target's own status. Kinds are registered from each app's `AppConfig.ready()`; the
engine reaches every kind through `get_kind(name)`, never by importing a domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    """One checkpointed step: `run(ctx)` returns its output (JSON), stored as `job.state[name]`."""

    name: str
    label: str
    run: Callable[[Any], Any]
    waits_on_model: bool = False  # heartbeats matter most here; the label says "waiting on the model"
    weight: int = 1  # progress units
    fan_out: bool = False  # items checkpointed one by one (ctx.save_item); output = {key: item}


def _nothing(*_args, **_kwargs):
    return None


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    steps: list[Step]
    # exception class -> the message a person reads (None: the exception's own text)
    errors: dict[type[BaseException], str | None] = field(default_factory=dict)
    # the key the status payload uses for the target's id, e.g. "course_id"
    target_key: str = ""
    on_start: Callable[[Any], None] = _nothing
    on_complete: Callable[[Any], str | None] = _nothing  # returns the final message
    on_error: Callable[[Any, str], None] = _nothing
    on_cancel: Callable[[Any], None] = _nothing
    on_resume: Callable[[Any], None] = _nothing

    def step_names(self) -> list[str]:
        return [s.name for s in self.steps]

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def message_for(self, exc: BaseException) -> str | None:
        for cls in type(exc).__mro__:
            if cls in self.errors:
                return self.errors[cls] or str(exc)
        return None


_KINDS: dict[str, JobKind] = {}


class UnknownKind(LookupError):
    pass


def register(kind: JobKind) -> JobKind:
    existing = _KINDS.get(kind.name)
    if existing is not None and existing is not kind:
        raise ValueError(f"job kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownKind(f"no job kind {name!r} is registered") from None


def kinds() -> list[JobKind]:
    return list(_KINDS.values())
