"""Self-test of check_responses.py and of openapi.yaml itself.

Run from the repository root: python3 -m unittest Tests/openapi/test_check_responses.py
"""

import contextlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # leave no __pycache__ beside the script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SPEC = ROOT / "openapi.yaml"
SCRIPT = HERE / "check_responses.py"

_module_spec = importlib.util.spec_from_file_location("check_responses", SCRIPT)
check_responses = importlib.util.module_from_spec(_module_spec)
_module_spec.loader.exec_module(check_responses)

RID = "0123456789abcdef0123456789abcdef"
JSON = "application/json"


def sample(status, body, method="POST", path="/echo", **headers):
    """A response sample; `body` may be a JSON-able value or a raw string."""
    all_headers = {"content-type": JSON, "x-request-id": RID}
    for name, value in headers.items():
        name = name.replace("_", "-").lower()
        if value is None:
            all_headers.pop(name, None)
        else:
            all_headers[name] = value
    if not isinstance(body, str):
        body = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return {"method": method, "path": path, "status": status, "headers": all_headers, "body": body}


def error(status, code, message="Something went wrong.", **headers):
    return sample(status, {"error": {"code": code, "message": message}}, **headers)


OK_BODY = {"return": 0, "stderr": None, "stdout": {"content": "hello\n", "encode": None}}

GOOD = [
    sample(200, '{"return":0,"stderr":null,"stdout":{"content":"hello\\n","encode":null}}'),
    sample(200, {"return": 1, "stderr": None, "stdout": None}, path="/sub/hello"),
    sample(200, {"return": 0, "stderr": {"content": "", "encode": None}, "stdout": None}, path="//bin/echo?x=1"),
    sample(200, {"return": -15, "stderr": {"content": "BOu!rDZ", "encode": "base85"},
                 "stdout": {"content": "aGVsbG8=", "encode": "base64"},
                 "timed_out": True, "truncated": {"stderr": False, "stdout": True}},
           content_type="application/json; charset=utf-8", x_request_id="client-id.42"),
    sample(200, "", method="OPTIONS", content_type=None, allow="OPTIONS, POST"),
    sample(200, "", method="OPTIONS", path="/", content_type=None, allow="OPTIONS, POST"),
    *[error(400, code) for code in (
        "invalid_json", "invalid_request", "invalid_encoding", "invalid_argument", "invalid_environment",
        "denied_environment", "arguments_too_large", "environment_too_large")],
    error(400, "invalid_request", '"stdout.capture" must be true or false, not a string.'),
    error(404, "not_found", "Command could not be found."),
    sample(404, {"error": {"code": "not_found", "message": "Command could not be found."}}, path="/"),
    {**error(405, "method_not_allowed", "Only POST is allowed.", allow="OPTIONS, POST"), "method": "GET"},
    {**error(405, "method_not_allowed", "Only POST is allowed.", allow="OPTIONS, POST"), "method": "DELETE"},
    sample(405, "", method="HEAD", allow="OPTIONS, POST"),
    error(413, "body_too_large", "The request body is larger than 16777216 bytes."),
    error(415, "unsupported_media_type"),
    error(429, "busy", "Too many commands are running; retry later.", retry_after="1"),
    error(500, "not_executable", "Command could not be executed."),
    error(500, "exec_failed", "Command could not be executed."),
    error(500, "policy_error"),
    error(500, "internal_error", "Internal server error."),
    error(502, "output_not_utf8"),
    error(502, "launcher_failed", "The command launcher failed while the command was running."),
    error(503, "shutting_down", "The server is shutting down.", retry_after="5"),
    error(503, "launcher_unavailable", "The command launcher is not available.", retry_after="1"),
]


def run_samples(samples):
    """Runs check-responses on `samples`; returns (failure count, printed lines)."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for item in samples:
            f.write(json.dumps(item) + "\n")
        path = f.name
    try:
        out = io.StringIO()
        failures = check_responses.check_responses(str(SPEC), path, out=out)
        return failures, out.getvalue().splitlines()
    finally:
        os.unlink(path)


class ValidateSpecTests(unittest.TestCase):
    def test_the_spec_is_valid_openapi_3_1(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = check_responses.main(["check_responses.py", "validate-spec", str(SPEC)])
        self.assertEqual(status, 0, out.getvalue())
        self.assertEqual(len(out.getvalue().splitlines()), 1)

    def test_an_invalid_spec_is_reported_on_one_line(self):
        broken = SPEC.read_text(encoding="utf-8").replace("openapi: 3.1.0\ninfo:", "openapi: 3.1.0\nnot_info:", 1)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as f:
            f.write(broken)
        try:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                status = check_responses.main(["check_responses.py", "validate-spec", f.name])
        finally:
            os.unlink(f.name)
        self.assertEqual(status, 1)
        self.assertEqual(len(out.getvalue().splitlines()), 1, out.getvalue())
        self.assertIn("invalid", out.getvalue())

    def test_a_3_0_document_is_refused(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as f:
            f.write("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n")
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                status = check_responses.main(["check_responses.py", "validate-spec", f.name])
        finally:
            os.unlink(f.name)
        self.assertEqual(status, 1)


class SpecContentTests(unittest.TestCase):
    """What the brief asks of openapi.yaml beyond being valid."""

    @classmethod
    def setUpClass(cls):
        cls.doc = check_responses.load_spec(SPEC)
        cls.spec = check_responses.Spec(cls.doc)

    def test_header(self):
        self.assertEqual(self.doc["openapi"], "3.1.0")
        self.assertEqual(self.doc["info"]["title"], "httpexec REST API")
        self.assertIn("1.0.4", self.doc["info"]["description"])
        self.assertNotIn("nullable", SPEC.read_text(encoding="utf-8"))

    def test_documented_statuses_and_headers(self):
        item = self.doc["paths"]["/{command}"]
        self.assertEqual({k for k in item if k in check_responses.HTTP_METHODS}, {"post", "options"})
        responses = item["post"]["responses"]
        self.assertEqual(set(responses), {"200", "400", "404", "405", "413", "415", "429", "500", "502", "503"})
        for status, response in responses.items():
            response, _ = self.spec.resolve(response, "")
            headers = response.get("headers", {})
            self.assertTrue(headers["X-Request-ID"], status)
            self.assertEqual("Retry-After" in headers, status in ("429", "503"), status)
            self.assertEqual("Allow" in headers, status == "405", status)
            self.assertEqual(list(response["content"]), [JSON], status)
        self.assertIn("Command could not be found.", self.spec.resolve(responses["404"], "")[0]["description"])
        self.assertIn("Command could not be executed.", self.spec.resolve(responses["500"], "")[0]["description"])
        self.assertNotIn("content", item["options"]["responses"]["200"])

    def test_error_codes_match_the_swift_sources(self):
        swift = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "Sources/FrontEnd").glob("APIError*.swift")))
        in_swift = set(re.findall(r'static let \w+ = Self\(rawValue: "(\w+)"\)', swift))
        self.assertGreaterEqual(len(in_swift), 20)
        code = self.doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
        self.assertEqual(set(code["enum"]), in_swift)

    def test_every_example_matches_its_schema(self):
        checked = 0
        for name, body in self.doc["components"]["requestBodies"].items():
            for media, content in body["content"].items():
                pointer = f"/components/requestBodies/{name}/content/{check_responses.pointer_segment(media)}/schema"
                _, pointer = self.spec.resolve(content["schema"], pointer)
                for example in content.get("examples", {}).values():
                    self.assertEqual(self.spec.schema_errors(pointer, example["value"]), [], name)
                    checked += 1
        for name, response in self.doc["components"]["responses"].items():
            for media, content in response.get("content", {}).items():
                pointer = f"/components/responses/{name}/content/{check_responses.pointer_segment(media)}/schema"
                _, pointer = self.spec.resolve(content["schema"], pointer)
                values = [e["value"] for e in content.get("examples", {}).values()]
                values += [content["example"]] if "example" in content else []
                for value in values:
                    self.assertEqual(self.spec.schema_errors(pointer, value), [], name)
                    checked += 1
        self.assertGreaterEqual(checked, 5)

    def test_request_schema(self):
        pointer = "/components/schemas/ExecRequest"
        good = [None, {}, {"args": None, "stdin": None, "stdout": None, "stderr": None, "environment": None,
                           "timeout": None},
                {"args": ["-n", "x"], "stdin": {"content": "aGk=", "encode": "base64"},
                 "stdout": {"capture": True, "encode": "base85"}, "stderr": {"capture": None},
                 "environment": {"LANG": "C"}, "timeout": 0.001, "unknown": [1]}]
        bad = [[], "x", {"args": "x"}, {"args": [1]}, {"args": ["a\u0000b"]}, {"args": ["x"] * 4097},
               {"stdin": "x"}, {"stdin": {"encode": "BASE64"}}, {"stdout": {"capture": "false"}},
               {"environment": {"A": 1}}, {"environment": {"A=B": "x"}}, {"environment": {"": "x"}},
               {"timeout": 0}, {"timeout": -1}, {"timeout": "1"}]
        for value in good:
            self.assertEqual(self.spec.schema_errors(pointer, value), [], value)
        for value in bad:
            self.assertNotEqual(self.spec.schema_errors(pointer, value), [], value)

    def test_stdin_patterns_accept_exactly_what_the_decoders_accept(self):
        # The server decodes Ascii85 as Python's a85decode does, and base64 as binascii's strict
        # mode does but also wants a length that is a multiple of 4 (Python ignores a stray
        # `=` after the padding). The spec's stdin patterns must draw the same line, or
        # schemathesis sends "valid" content that gets 400 (or invalid content that runs).
        import base64
        import binascii
        import random

        def accepted(decode, content):
            try:
                decode(content)
                return True
            except (ValueError, binascii.Error):
                return False

        decoders = {
            "base64": lambda text: binascii.a2b_base64(text, strict_mode=True) if len(text) % 4 == 0 else int("x"),
            "base85": base64.a85decode,
        }
        alphabets = {"base64": "AZaz09+/=\n -_~", "base85": "!\"su8W-,V7rtz \t\n\v\f\rvy~"}
        pointer = "/components/schemas/ExecRequest"
        rng = random.Random(85)
        for encode, decode in decoders.items():
            samples = ["".join(rng.choice(alphabets[encode]) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
            raw = [bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 20))) for _ in range(300)]
            samples += [(base64.b64encode if encode == "base64" else base64.a85encode)(b).decode() for b in raw]
            valid = 0
            for content in samples:
                body = {"stdin": {"content": content, "encode": encode}}
                in_spec = self.spec.schema_errors(pointer, body) == []
                self.assertEqual(in_spec, accepted(decode, content), f"{encode} {content!r}")
                valid += in_spec
            self.assertGreater(valid, 300, encode)  # both sides of the line were tried
            self.assertLess(valid, len(samples), encode)


class CheckResponsesTests(unittest.TestCase):
    def assertFails(self, item, *fragments):
        failures, lines = run_samples([item])
        self.assertEqual(failures, 1, lines)
        self.assertEqual(lines[-1], "checked 1 responses, 1 failures")
        report = "\n".join(lines[:-1])
        label = f"{item['method'].upper()} {item['path']} {item['status']}: "
        self.assertTrue(all(line.startswith(label) for line in lines[:-1]), lines)
        for fragment in fragments:
            self.assertIn(fragment, report)

    def test_good_samples_pass(self):
        failures, lines = run_samples(GOOD)
        self.assertEqual(failures, 0, "\n".join(lines))
        self.assertEqual(lines, [f"checked {len(GOOD)} responses, 0 failures"])

    def test_wrong_field_type(self):
        self.assertFails(sample(200, {**OK_BODY, "return": "0"}), "body return", "not of type 'integer'")
        self.assertFails(sample(200, {**OK_BODY, "stdout": {"content": 5, "encode": None}}), "body stdout")
        self.assertFails(sample(200, {**OK_BODY, "stderr": "x"}), "body stderr")
        self.assertFails(error(400, 400), "body error/code")

    def test_wrong_shape(self):
        self.assertFails(sample(200, {"return": 0, "stdout": None}), "'stderr' is a required property")
        self.assertFails(sample(200, {**OK_BODY, "extra": 1}), "Additional properties")
        self.assertFails(sample(200, {**OK_BODY, "timed_out": False}), "body timed_out")
        self.assertFails(sample(200, {**OK_BODY, "truncated": {"stderr": False, "stdout": False}}), "body truncated")
        self.assertFails(sample(200, {**OK_BODY, "stdout": {"content": "a b", "encode": "base64"}}), "stdout/content")
        self.assertFails(sample(200, {**OK_BODY, "stdout": {"content": "x", "encode": "hex"}}), "body stdout")

    def test_wrong_error_code_or_message_for_the_status(self):
        self.assertFails(error(400, "not_found"), "body error/code")
        self.assertFails(error(404, "not_found", "Command `/srv/x` not found"), "body error/message")
        self.assertFails(error(500, "exec_failed", "No such file"), "body error/message")
        self.assertFails(error(503, "busy", retry_after="1"), "body error/code")
        self.assertFails(error(502, "launcher_unavailable"), "body error/code")
        self.assertFails(error(400, "no_such_code"), "body error/code")
        self.assertFails(error(400, "invalid_json", "bad\nline"), "body error/message")

    def test_undocumented_status(self):
        self.assertFails(error(418, "internal_error"), "status 418 is not documented")
        self.assertFails(sample(201, OK_BODY), "status 201 is not documented")
        self.assertFails(error(404, "not_found", "Command could not be found.", method="OPTIONS"),
                         "status 404 is not documented")

    def test_undocumented_method(self):
        self.assertFails({**error(405, "method_not_allowed"), "method": "FROB"}, "method FROB is not documented")

    def test_missing_or_bad_headers(self):
        self.assertFails(sample(200, OK_BODY, x_request_id=None), "missing required header X-Request-ID")
        self.assertFails(sample(200, "", method="OPTIONS", content_type=None, allow="OPTIONS, POST", x_request_id=None),
                         "missing required header X-Request-ID")
        self.assertFails(sample(200, OK_BODY, x_request_id="x" * 129), "header X-Request-ID")
        self.assertFails(sample(200, OK_BODY, x_request_id="has space"), "header X-Request-ID")
        self.assertFails(error(429, "busy"), "missing required header Retry-After")
        self.assertFails(error(503, "shutting_down"), "missing required header Retry-After")
        self.assertFails(error(503, "launcher_unavailable", retry_after="soon"), "header Retry-After")
        self.assertFails({**error(405, "method_not_allowed"), "method": "GET"}, "missing required header Allow")
        self.assertFails(sample(200, "", method="OPTIONS", content_type=None), "missing required header Allow")

    def test_bad_content_type(self):
        self.assertFails(sample(200, OK_BODY, content_type="text/html; charset=utf-8"),
                         "Content-Type 'text/html' is not documented")
        self.assertFails(error(404, "not_found", "Command could not be found.", content_type="text/plain"),
                         "Content-Type 'text/plain' is not documented")
        self.assertFails(sample(200, OK_BODY, content_type=None), "missing Content-Type")

    def test_bodies(self):
        self.assertFails(sample(200, ""), "empty body")
        self.assertFails(sample(200, "<html></html>"), "body is not JSON")
        self.assertFails(sample(200, '{"return":NaN,"stderr":null,"stdout":null}'), "body is not JSON")
        self.assertFails(sample(200, "x", method="OPTIONS", allow="OPTIONS, POST"), "documents no content")
        self.assertFails(sample(405, "{}", method="HEAD", allow="OPTIONS, POST"), "a HEAD response has a body")

    def test_several_failures_in_one_file(self):
        failures, lines = run_samples([GOOD[0], sample(200, OK_BODY, x_request_id=None), GOOD[1], error(418, "busy")])
        self.assertEqual(failures, 2)
        self.assertEqual(lines[-1], "checked 4 responses, 2 failures")

    def test_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            good, bad = Path(tmp, "good.jsonl"), Path(tmp, "bad.jsonl")
            good.write_text("".join(json.dumps(s) + "\n" for s in GOOD), encoding="utf-8")
            bad.write_text(json.dumps(sample(200, OK_BODY, content_type="text/plain")) + "\n", encoding="utf-8")
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
            run = [sys.executable, str(SCRIPT), "check-responses", str(SPEC)]
            passed = subprocess.run(run + [str(good)], capture_output=True, text=True, env=env)
            self.assertEqual(passed.returncode, 0, passed.stdout + passed.stderr)
            self.assertEqual(passed.stdout, f"checked {len(GOOD)} responses, 0 failures\n")
            failed = subprocess.run(run + [str(bad)], capture_output=True, text=True, env=env)
            self.assertEqual(failed.returncode, 1)
            self.assertEqual(failed.stdout.splitlines()[-1], "checked 1 responses, 1 failures")
            spec = subprocess.run([sys.executable, str(SCRIPT), "validate-spec", str(SPEC)],
                                  capture_output=True, text=True, env=env)
            self.assertEqual((spec.returncode, spec.stdout.count("\n")), (0, 1), spec.stdout + spec.stderr)
            usage = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env)
            self.assertEqual(usage.returncode, 2)


if __name__ == "__main__":
    unittest.main()
