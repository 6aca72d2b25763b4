"""The soak's load: asyncio workers on keep-alive connections, one result per planned request.

Each worker keeps one connection and opens a new one when the server closed it, when the
answer said `Connection: close`, or after it went away on purpose (disconnect kinds). Nothing
is ever retried: a request is sent exactly once, so the audit trail can be joined one to one.
"""

import asyncio
import os
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import mix
from mix import Planned

RESPONSE_DEADLINE = 60.0   # seconds for one answer; jobs here end within 1 s unless stuck
MARKER_DEADLINE = 30.0     # seconds for a disconnect job to show that it runs
MARKER_POLL = 0.005


@dataclass
class Result:
    index: int
    kind: str
    request_id: str
    status: Optional[int] = None    # None: no answer (expected for disconnect kinds)
    error: Optional[str] = None     # transport problem or failed body check
    seconds: float = 0.0
    echoed_id: Optional[str] = None


class ProtocolFailure(Exception):
    pass


async def read_response(reader: asyncio.StreamReader):
    """(status, headers, body); headers lower-cased. Content-Length, chunked, or until EOF."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ProtocolFailure(f"bad status line {lines[0][:60]!r}")
    status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailer fields
                break
            body += (await reader.readexactly(size + 2))[:-2]
    else:
        body = await reader.read()
        headers["connection"] = "close"
    return status, headers, body


def reset_on_close(writer: asyncio.StreamWriter):
    """SO_LINGER 0: closing sends RST instead of FIN (a client that crashed or was killed)."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


async def close(writer: asyncio.StreamWriter):
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass  # a reset connection: closed all the same


@dataclass
class Load:
    host: str
    port: int
    concurrency: int
    tickets: list
    seed: int
    marker_dir: str
    results: list = field(default_factory=list)
    next_index: int = 0
    done: int = 0
    progress_every: int = 0
    on_progress: Optional[Callable[[int], None]] = None

    async def run(self):
        await asyncio.gather(*(self.worker() for _ in range(self.concurrency)))

    async def worker(self):
        reader = writer = None
        while self.next_index < len(self.tickets):
            planned = mix.plan(self.tickets[self.next_index], self.seed, self.marker_dir)
            self.next_index += 1
            if writer is None:
                try:
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                except OSError as error:
                    self.finish(Result(planned.index, planned.kind.name, planned.request_id,
                                       error=f"connect: {error}"))
                    continue
            result, keep = await self.one(planned, reader, writer)
            self.finish(result)
            if not keep:
                await close(writer)
                reader = writer = None
        if writer is not None:
            await close(writer)

    def finish(self, result: Result):
        self.results.append(result)
        self.done += 1
        if self.on_progress and self.progress_every and self.done % self.progress_every == 0:
            self.on_progress(self.done)

    async def one(self, planned: Planned, reader, writer):
        """Sends one request; returns its result and whether the connection can be used again."""
        result = Result(planned.index, planned.kind.name, planned.request_id)
        started = time.monotonic()
        try:
            writer.write(planned.raw)
            await writer.drain()
            if planned.kind.name == "disconnect":
                result.error = await self.wait_marker(planned.marker)
                if planned.reset:
                    reset_on_close(writer)
                return self.timed(result, started), False
            if planned.kind.name == "abort_early":
                if planned.reset:
                    reset_on_close(writer)
                return self.timed(result, started), False
            status, headers, body = await asyncio.wait_for(read_response(reader), RESPONSE_DEADLINE)
        except asyncio.TimeoutError:
            result.error = f"no answer within {RESPONSE_DEADLINE:.0f} s"
            return self.timed(result, started), False
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ProtocolFailure, ValueError) as error:
            result.error = f"transport: {type(error).__name__}: {error}"
            return self.timed(result, started), False
        self.timed(result, started)
        result.status = status
        result.echoed_id = headers.get("x-request-id")
        if status in planned.kind.statuses and planned.check is not None:
            result.error = planned.check(body)
        keep = headers.get("connection", "").lower() != "close"
        return result, keep

    @staticmethod
    def timed(result: Result, started: float) -> Result:
        result.seconds = time.monotonic() - started
        return result

    @staticmethod
    async def wait_marker(path: str) -> Optional[str]:
        deadline = time.monotonic() + MARKER_DEADLINE
        while not os.path.exists(path):
            if time.monotonic() > deadline:
                return f"the job did not start within {MARKER_DEADLINE:.0f} s (no marker)"
            await asyncio.sleep(MARKER_POLL)
        return None


def run_load(host: str, port: int, concurrency: int, tickets: list, seed: int, marker_dir: str,
             progress_every: int = 0, on_progress=None):
    """Sends every ticket's request; returns (results sorted by index, seconds taken).
    `on_progress(done)` is called after every `progress_every` requests."""
    load = Load(host, port, concurrency, tickets, seed, marker_dir, progress_every=progress_every,
                on_progress=on_progress)
    started = time.monotonic()
    asyncio.run(load.run())
    elapsed = time.monotonic() - started
    return sorted(load.results, key=lambda r: r.index), elapsed
