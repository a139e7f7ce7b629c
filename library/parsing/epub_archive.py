"""The EPUB zip, opened with guards: an EPUB is untrusted input.

Before anything is read: the declared total size is bounded (``max_unpacked_bytes``), every member
of at least 64 KiB must not unpack to more than 100 times its compressed size, and neither may the
archive as a whole beyond 8 MiB (30 times). Every read is then capped at the member's declared size
and at what is left of the total budget, so a lying zip header cannot blow up memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from library.parsing.base import IngestError

MAX_RATIO = 100  # uncompressed/compressed for one member; text rarely exceeds 15
RATIO_MIN_BYTES = 64 * 2**10  # members smaller than this may compress absurdly (blank files) unharmed
MAX_TOTAL_RATIO = 30  # the whole archive; real EPUBs unpack to 1-5 times their size
TOTAL_RATIO_MIN_BYTES = 8 * 2**20


class EpubArchive:
    """A zip opened with size guards: reads are capped at the declared size and a total budget."""

    def __init__(self, path: Path, max_unpacked_bytes: int):
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise IngestError("This EPUB is damaged: it is not a valid zip archive.")
        self.budget = max_unpacked_bytes
        infos = self.zf.infolist()
        declared = sum(i.file_size for i in infos)
        if declared > max_unpacked_bytes:
            self.close()
            raise IngestError(
                f"This EPUB unpacks to {declared // 2**20} MB, more than the "
                f"{max_unpacked_bytes // 2**20} MB limit."
            )
        for info in infos:
            if info.file_size >= RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(1, info.compress_size):
                self.close()
                raise IngestError(
                    f"This EPUB looks like a zip bomb: {info.filename[:100]} unpacks to "
                    f"{info.file_size / max(1, info.compress_size):,.0f} times its compressed size "
                    f"(the limit is {MAX_RATIO})."
                )
        packed = sum(i.compress_size for i in infos)
        if declared >= TOTAL_RATIO_MIN_BYTES and declared > MAX_TOTAL_RATIO * max(1, packed):
            self.close()
            raise IngestError(
                f"This EPUB looks like a zip bomb: it unpacks to {declared / max(1, packed):,.0f} times "
                f"its compressed size (the limit is {MAX_TOTAL_RATIO})."
            )
        self.names = {i.filename: i for i in infos}

    def close(self) -> None:
        self.zf.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        info = self.names.get(name)
        if info is None:
            raise KeyError(name)
        limit = min(info.file_size, self.budget)
        try:
            with self.zf.open(info) as fh:
                data = fh.read(limit + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
            if isinstance(exc, RuntimeError) and "encrypted" in str(exc).lower():
                raise IngestError("This EPUB is password-protected and cannot be read.")
            raise IngestError(f"This EPUB is damaged: {name} cannot be read.")
        if len(data) > limit:
            raise IngestError("This EPUB unpacks to more data than it declares; it cannot be read safely.")
        self.budget -= len(data)
        return data


def open_epub(path: Path, *, max_unpacked_bytes: int) -> EpubArchive:
    """Open the archive and check the EPUB basics (cheap: reads only the zip directory)."""
    if not zipfile.is_zipfile(path):
        raise IngestError("This EPUB is damaged: it is not a valid zip archive.")
    archive = EpubArchive(path, max_unpacked_bytes)
    if not archive.has("META-INF/container.xml"):
        archive.close()
        raise IngestError("This EPUB is damaged: META-INF/container.xml is missing.")
    return archive
