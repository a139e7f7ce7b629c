"""A minimal HTTP/1.1 client on asyncio streams for bench/load.py's virtual users: one keep-alive
connection each, as httpx's `AsyncClient(limits=Limits(max_connections=1))` was, at a fraction of
its CPU per request.

Why: the clients run on the same 2 cores as the server they measure. httpx spent ~1.8 ms of CPU per
request (17 s over a 60 s window), which delays both the clients' own event loops (their lateness is
in every latency they report) and the server. The requests on the wire are the same: the method,
path, Host, the bench's headers (token, X-Bench-Id), a JSON body with its Content-Length; a
response is read whole (Content-Length, chunked, or to the end of a closing connection) before its
time is taken. Errors are httpx's classes so that the recorder treats them alike: a connection the
server closed as the request went out is `httpx.RemoteProtocolError` (a GET is retried once, as a
browser does, and counted as a reconnect).
"""

from __future__ import annotations

import asyncio
import itertools
import json as jsonlib
import os
import time
from urllib.parse import urlsplit

import httpx

_ids = itertools.count()


class Request:
    def __init__(self, headers: dict[str, str]):
        self.headers = headers


class Response:
    def __init__(self, status_code: int, headers: dict[str, str], content: bytes, request: Request):
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.request = request

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content)


class LightClient:
    """`await client.get(url)` / `await client.post(url, json=...)` over one keep-alive connection
    (opened on first use, opened again when the server has closed it)."""

    def __init__(
        self,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
        tag: str | None = None,
        max_idle: float | None = None,
    ):
        """`max_idle`: a connection unused for longer is not reused (a new one is opened): the
        server's keep-alive timeout less a margin, so that a request never meets the server
        closing that connection at the same moment."""
        self._headers = dict(headers or {})
        self._timeout = timeout
        self._tag = tag  # the X-Bench-Id header name, given a unique value per request when set
        self._max_idle = max_idle
        self._prefix = f"{os.getpid()}-"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._used = 0.0  # monotonic time the last response ended

    async def get(self, url: str, timeout: float | None = None) -> Response:
        return await self._request("GET", url, None, timeout)

    async def post(self, url: str, json=None, timeout: float | None = None) -> Response:
        return await self._request("POST", url, jsonlib.dumps(json).encode(), timeout)

    async def aclose(self) -> None:
        self._drop()

    def _drop(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def _request(self, method: str, url: str, body: bytes | None, timeout: float | None) -> Response:
        try:
            async with asyncio.timeout(self._timeout if timeout is None else timeout):
                return await self._exchange(method, url, body)
        except TimeoutError:
            self._drop()
            raise httpx.ReadTimeout(f"no answer within {self._timeout} s") from None

    async def _exchange(self, method: str, url: str, body: bytes | None) -> Response:
        parts = urlsplit(url)
        headers = dict(self._headers)
        if self._tag:
            headers[self._tag] = f"{self._prefix}{next(_ids)}"
        idle = self._max_idle is not None and time.monotonic() - self._used > self._max_idle
        if self._reader is None or self._reader.at_eof() or idle:  # none yet, closed, or about to be
            self._drop()
            try:
                self._reader, self._writer = await asyncio.open_connection(parts.hostname, parts.port)
            except OSError as exc:
                raise httpx.ConnectError(str(exc)) from None
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Accept: */*"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        try:
            await self._writer.drain()
            head = await self._reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self._drop()
            raise httpx.RemoteProtocolError(f"Server disconnected without sending a response: {exc!r}")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        got = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            got[name.strip().lower()] = value.strip()
        try:
            content = await self._body(status, got)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self._drop()
            raise httpx.ReadError(f"connection closed in a response body: {exc!r}") from None
        if got.get("connection", "").lower() == "close":
            self._drop()
        self._used = time.monotonic()
        return Response(status, got, content, Request(headers))

    async def _body(self, status: int, headers: dict[str, str]) -> bytes:
        if status in (204, 304) or status < 200:
            return b""
        if "content-length" in headers:
            return await self._reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    while (await self._reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(await self._reader.readexactly(size))
                await self._reader.readexactly(2)
        data = await self._reader.read()  # neither: the body ends with the connection
        self._drop()
        return data
