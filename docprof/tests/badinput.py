"""Helpers for the bad-input catalogue: raw requests (exact bytes, file names, content types), what a
person reads in an answer, and what the database and the media folder hold."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

BOUNDARY = "catalogue-boundary-7d3f"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(fields: dict | None = None, files: list[tuple[str, bytes]] | None = None) -> bytes:
    """A multipart body with file names exactly as given (Django's test client would trim paths)."""
    out = []
    for name, value in (fields or {}).items():
        out.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for filename, content in files or []:
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        out.append(head.encode("utf-8", "surrogateescape") + content + b"\r\n")
    out.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(out)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def readable_text(response) -> str:
    """The words a person reads: every string of a JSON answer, or the text of an HTML page."""
    content = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        return " ".join(_strings(json.loads(content)))
    return html.unescape(re.sub(r"<[^>]+>", " ", content))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
