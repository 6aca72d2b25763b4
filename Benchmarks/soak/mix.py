"""The soak's request mix: each kind of request, what is sent, and what must come back.

Every kind states the HTTP statuses it may get, how its body is checked, and what the launcher's
audit trail must hold for its request id afterwards:

- ``job``: exactly one ``started`` and one ``finished`` record, the latter matching ``finished``;
- ``rejected``: exactly one ``rejected`` record whose reason code is ``reason``, nothing else;
- ``none``: no record at all (the front-end refused it, the launcher never heard of it);
- ``maybe-job``: the client left before the answer, so the job may or may not have reached the
  launcher: no record, or exactly ``started`` + ``finished`` with ``cancelled`` true.
"""

import base64
import json
import random
from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass(frozen=True)
class Kind:
    name: str
    weight: int
    # Statuses that count as expected; empty for kinds whose client goes away without an answer.
    statuses: frozenset
    audit: str
    # For audit "rejected": the launcher's reason code.
    reason: Optional[str] = None
    # For audit "job": fields the finished record must have.
    finished: dict = field(default_factory=dict)
    # The error code of a 4xx/5xx JSON body, when the kind expects one.
    error_code: Optional[str] = None


# Weights add up to 100: mostly jobs that run, then every way a request can be refused.
KINDS = [
    Kind("echo", 30, frozenset({200}), "job", finished={"exit_code": 0, "timed_out": False, "cancelled": False}),
    Kind("cat", 14, frozenset({200}), "job", finished={"exit_code": 0, "timed_out": False, "cancelled": False}),
    Kind("fail", 8, frozenset({200}), "job", finished={"exit_code": 3, "timed_out": False, "cancelled": False}),
    Kind("timeout", 3, frozenset({200}), "job", finished={"timed_out": True, "cancelled": False}),
    Kind("disconnect", 2, frozenset(), "job", finished={"cancelled": True}),
    Kind("abort_early", 1, frozenset(), "maybe-job"),
    Kind("unknown_command", 5, frozenset({404}), "rejected", reason="not_found", error_code="not_found"),
    Kind("denied_env", 5, frozenset({400}), "rejected", reason="denied_environment", error_code="denied_environment"),
    Kind("bad_json", 7, frozenset({400}), "none", error_code="invalid_json"),
    Kind("invalid_field", 5, frozenset({400}), "none", error_code="invalid_request"),
    Kind("bad_path", 5, frozenset({404}), "none", error_code="not_found"),
    Kind("wrong_method", 5, frozenset({405}), "none", error_code="method_not_allowed"),
    Kind("too_large", 4, frozenset({413}), "none", error_code="body_too_large"),
    Kind("unsupported_media", 3, frozenset({415}), "none", error_code="unsupported_media_type"),
    Kind("options", 2, frozenset({200}), "none"),
    Kind("healthz", 1, frozenset({200}), "none"),
]
KIND_BY_NAME = {kind.name: kind for kind in KINDS}

# Statuses that mean the service was overloaded or going away: never expected here (the policy's
# limits are sized above the client's concurrency), but counted apart so a report says which.
PRESSURE_STATUSES = frozenset({429, 503})

# A timed-out job sleeps this long unless stopped; a disconnected one too. Long enough that a job
# that was not stopped shows up (in its finished record and in the settle wait).
LONG_SLEEP_SECONDS = "30"
# abort_early's job: the front-end notices the close within milliseconds, so 5 s still tells a
# cancelled job from one left to run, and jobs left to run cannot pile up to the policy's limits.
ABORT_SLEEP_SECONDS = "5"
JOB_TIMEOUT_SECONDS = 0.2


@dataclass(frozen=True)
class Ticket:
    """One request of the schedule: enough to build it when it is sent and to judge it after."""
    index: int
    kind: Kind
    request_id: str


@dataclass
class Planned:
    """One request, ready to send (built when sent: the bodies of 100,000 would not fit in memory)."""
    index: int
    kind: Kind
    request_id: str
    raw: bytes
    # Checks a response body (status already matched); returns an error text or None.
    check: Optional[Callable[[bytes], Optional[str]]] = None
    # disconnect: the file the job creates once it runs; the client closes after it appears.
    marker: Optional[str] = None
    # disconnect / abort_early: reset the connection (RST) instead of a plain close (FIN).
    reset: bool = False


def http_request(method: str, path: str, request_id: str, body: Optional[bytes] = None,
                 content_type: Optional[str] = "application/json",
                 content_length: Optional[int] = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"X-Request-ID: {request_id}"]
    if body is not None or content_length is not None:
        if content_type is not None:
            lines.append(f"Content-Type: {content_type}")
        length = content_length if content_length is not None else len(body)
        lines.append(f"Content-Length: {length}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return head + (body or b"")


def post_json(path: str, request_id: str, document) -> bytes:
    return http_request("POST", path, request_id, json.dumps(document).encode())


def expect_run(returned: int, stream: str = "stdout", content: Optional[str] = None,
               encode: Optional[str] = None, timed_out: bool = False):
    """A checker for a 200 job response."""
    def check(body: bytes) -> Optional[str]:
        try:
            document = json.loads(body)
        except ValueError:
            return "200 body is not JSON"
        if document.get("return") != returned:
            return f"return {document.get('return')!r}, expected {returned}"
        if bool(document.get("timed_out", False)) != timed_out:
            return f"timed_out {document.get('timed_out')!r}, expected {timed_out}"
        if content is not None:
            got = document.get(stream) or {}
            if got.get("content") != content or got.get("encode") != encode:
                return f"{stream} {str(got)[:80]!r} differs from what was sent"
        return None
    return check


def expect_error(code: str):
    def check(body: bytes) -> Optional[str]:
        try:
            got = json.loads(body)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return f"error body is not the JSON error form: {body[:80]!r}"
        return None if got == code else f"error code {got!r}, expected {code!r}"
    return check


def expect_json_status(body: bytes) -> Optional[str]:
    try:
        return None if json.loads(body).get("status") == "ok" else "healthz body is not status ok"
    except ValueError:
        return "healthz body is not JSON"


def plan(ticket: Ticket, seed: int, marker_dir: str) -> Planned:
    """Builds the request of a ticket; the variant within its kind comes from the seed and the
    index alone, so a rerun with the same seed sends the same bytes."""
    index, kind, request_id = ticket.index, ticket.kind, ticket.request_id
    rng = random.Random(f"{seed}-{index}")
    p = Planned(index, kind, request_id, b"")
    name = kind.name
    if name == "echo":
        words = ["soak", request_id] + [rng.choice(["a", "é", "x y", "--flag", ""]) for _ in range(rng.randrange(3))]
        p.raw = post_json("/echo", request_id, {"args": words, "stdout": {"capture": True}})
        p.check = expect_run(0, content=" ".join(words) + "\n")
    elif name == "cat":
        data = rng.randbytes(rng.choice([0, 1, 100, 4096, 65536]))
        if rng.random() < 0.5:
            text = base64.b64encode(data).decode()  # ASCII, so valid text either way
            p.raw = post_json("/cat", request_id, {"stdin": {"content": text}, "stdout": {"capture": True}})
            p.check = expect_run(0, content=text)
        else:
            encoded = base64.b64encode(data).decode()
            p.raw = post_json("/cat", request_id, {"stdin": {"content": encoded, "encode": "base64"},
                                                    "stdout": {"capture": True, "encode": "base64"}})
            p.check = expect_run(0, content=encoded, encode="base64")
    elif name == "fail":
        p.raw = post_json("/fail", request_id, {"args": ["failing", request_id], "stderr": {"capture": True}})
        p.check = expect_run(3, stream="stderr", content=f"failing {request_id}\n")
    elif name == "timeout":
        p.raw = post_json("/sleep", request_id, {"args": [LONG_SLEEP_SECONDS], "timeout": JOB_TIMEOUT_SECONDS})
        p.check = expect_run(-15, timed_out=True)
    elif name == "disconnect":
        p.marker = f"{marker_dir}/{request_id}"
        p.reset = index % 2 == 1
        p.raw = post_json("/slow", request_id, {"args": [p.marker, LONG_SLEEP_SECONDS]})
    elif name == "abort_early":
        p.reset = index % 2 == 1
        p.raw = post_json("/sleep", request_id, {"args": [ABORT_SLEEP_SECONDS]})
    elif name == "unknown_command":
        p.raw = post_json(f"/no-such-command-{index % 7}", request_id, {})
        p.check = expect_error("not_found")
    elif name == "denied_env":
        variable = rng.choice(["LD_PRELOAD", "BASH_ENV", "PYTHONPATH", "HTTPEXEC_SOAK", "GLIBC_TUNABLES"])
        p.raw = post_json("/echo", request_id, {"args": ["x"], "environment": {variable: "/tmp/x"}})
        p.check = expect_error("denied_environment")
    elif name == "bad_json":
        body = rng.choice([b'{"args": [', b"{'args': 1}", b"[1,]", b"NaN", b"", b'{"a":1}x', b"\xef\xbb\xbf{}"])
        p.raw = http_request("POST", "/echo", request_id, body)
        p.check = expect_error("invalid_json")
    elif name == "invalid_field":
        document = rng.choice([{"args": "x"}, {"stdout": {"capture": "yes"}}, {"timeout": -1},
                               False, {"stdin": {"content": "x", "encode": "hex"}}, {"args": [1]}])
        p.raw = post_json("/echo", request_id, document)
        p.check = expect_error("invalid_request")
    elif name == "bad_path":
        path = rng.choice(["/a/../echo", "/%2e%2e/echo", "/echo/%2E%2E/cat", "/", "//", "/ec%01ho", "/%ff"])
        p.raw = post_json(path, request_id, {})
        p.check = expect_error("not_found")
    elif name == "wrong_method":
        method = rng.choice(["GET", "PUT", "DELETE", "PATCH"])
        p.raw = http_request(method, "/echo", request_id)
        p.check = expect_error("method_not_allowed")
    elif name == "too_large":
        # Only the header: the front-end must refuse on the declared length without reading a body.
        p.raw = http_request("POST", "/echo", request_id, None, content_length=rng.choice([16 * 2**20 + 1, 2**40]))
        p.check = expect_error("body_too_large")
    elif name == "unsupported_media":
        p.raw = http_request("POST", "/echo", request_id, b"{}", content_type=rng.choice(["text/plain", None]))
        p.check = expect_error("unsupported_media_type")
    elif name == "options":
        p.raw = http_request("OPTIONS", "/echo", request_id)
    elif name == "healthz":
        p.raw = http_request("GET", "/healthz", request_id)
        p.check = expect_json_status
    else:
        raise ValueError(name)
    return p


def schedule(count: int, seed: int, skip=frozenset()) -> list:
    """`count` tickets, kinds drawn by weight (each kind at least once when count allows), none of
    `skip`; request ids `soak-<seed in hex>-<index>`."""
    rng = random.Random(seed)
    kinds = [kind for kind in KINDS if kind.name not in skip]
    names = [kind.name for kind in kinds]
    drawn = rng.choices(names, weights=[kind.weight for kind in kinds], k=count)
    if count >= len(names):
        drawn[:len(names)] = names
        rng.shuffle(drawn)
    return [Ticket(i, KIND_BY_NAME[name], f"soak-{seed:x}-{i:06d}") for i, name in enumerate(drawn)]
