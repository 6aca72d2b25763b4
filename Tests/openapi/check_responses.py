#!/usr/bin/env python3
"""Checks openapi.yaml, and real responses against it.

Usage:
  check_responses.py validate-spec openapi.yaml
      Validates the document as OpenAPI 3.1 with openapi-spec-validator.
  check_responses.py check-responses openapi.yaml samples.jsonl
      Each line of samples.jsonl is one response:
        {"method": "POST", "path": "/echo", "status": 200,
         "headers": {"content-type": "...", "x-request-id": "..."}, "body": "<text>"}
      (header names lower-case). Each is checked against the operation for its path and
      method: the status must be documented, the documented required headers present and
      valid, the Content-Type the documented media type (parameters ignored), and the
      JSON body valid against the documented schema (JSON Schema 2020-12). A status with no
      documented content must have an empty body; HEAD responses never have one.

Prints one line per failure (`METHOD PATH STATUS: reason`; a response can fail for several
reasons) and `checked N responses, M failures`, M counting the responses that failed.
Exits 0 when everything passed, 1 otherwise, 2 on bad usage or unreadable input.

Needs: jsonschema (>= 4.18, for `referencing`), PyYAML, openapi-spec-validator (>= 0.7).
"""

import json
import re
import sys
from functools import lru_cache
from urllib.parse import quote

import yaml
from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# The URI the spec document is registered under, so `#/components/...` refs resolve in it.
SPEC_URI = "urn:httpexec:openapi"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Path-item extension listing methods that have no operation and the responses they get.
UNSUPPORTED_METHODS_KEY = "x-method-not-allowed"


class Failure(Exception):
    """One sample does not match the spec."""


@lru_cache(maxsize=None)
def ecma_regex(pattern):
    r"""`pattern` (ECMA-262, as JSON Schema reads it) compiled for Python's `re`.

    Without the multiline flag an ECMA `$` matches only at the very end, but Python's also
    matches before a final newline, so `^[a-z]*$` would admit "abc\n". Each `$` outside a
    character class becomes `\Z`.
    """
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
        i += 1
    return re.compile("".join(out))


def _ecma_pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# JSON Schema 2020-12 with ECMA-262 semantics for `pattern` (and so for `propertyNames`).
SchemaValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


def load_spec(path):
    with open(path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    if not isinstance(spec, dict):
        raise ValueError(f"{path}: not a YAML mapping")
    # YAML allows non-string keys (e.g. `200:`); OpenAPI and JSON do not.
    return json.loads(json.dumps(spec))


def validate_spec(path):
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate

    spec = load_spec(path)
    version = str(spec.get("openapi", ""))
    if not version.startswith("3.1."):
        raise ValueError(f"openapi is {version!r}, expected 3.1.x")
    validate(spec, cls=OpenAPIV31SpecValidator)


def pointer_segment(key):
    """One JSON-pointer segment, escaped for use in a URI fragment."""
    return quote(str(key).replace("~", "~0").replace("/", "~1"), safe="~")


class Spec:
    def __init__(self, document):
        self.document = document
        resource = Resource(contents=document, specification=DRAFT202012)
        self.registry = Registry().with_resource(SPEC_URI, resource)
        self.paths = []
        for template, item in (document.get("paths") or {}).items():
            self.paths.append((self._path_regex(template), template, item))
        self._validators = {}

    @staticmethod
    def _path_regex(template):
        # A path parameter may span several segments (`/{command}` matches `/sub/hello`), and
        # an empty value is allowed so that `/` (which the server answers with 404) still
        # maps to the operation.
        parts = re.split(r"(\{[^}/]+\})", template)
        pattern = "".join(".*" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts)
        return re.compile(f"^{pattern}$", re.DOTALL)

    def resolve(self, node, pointer):
        """Follows local `$ref`s (OpenAPI objects, not schemas); returns (node, pointer)."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise Failure(f"cannot follow $ref {ref!r}")
            seen.add(ref)
            node = self.document
            for raw in ref[2:].split("/"):
                key = raw.replace("~1", "/").replace("~0", "~")
                if not isinstance(node, dict) or key not in node:
                    raise Failure(f"$ref {ref!r} points nowhere")
                node = node[key]
            pointer = ref[1:]
        return node, pointer

    def path_item(self, path):
        path = path.split("?", 1)[0].split("#", 1)[0]  # the query string plays no part
        # A literal template wins over a templated one, as OpenAPI says.
        for _, template, item in self.paths:
            if template == path:
                return template, item
        for regex, template, item in self.paths:
            if regex.match(path):
                return template, item
        raise Failure("no path in the spec matches")

    def responses(self, template, item, method):
        """The responses object for `method` on the path item, and its pointer."""
        base = "/paths/" + pointer_segment(template)
        item, base = self.resolve(item, base)
        if method in item and method in HTTP_METHODS:
            operation, pointer = self.resolve(item[method], f"{base}/{method}")
            return operation.get("responses") or {}, pointer + "/responses"
        extension = item.get(UNSUPPORTED_METHODS_KEY)
        if isinstance(extension, dict):
            methods = [str(m).lower() for m in extension.get("methods") or []]
            if method in methods or "*" in methods:
                pointer = f"{base}/{pointer_segment(UNSUPPORTED_METHODS_KEY)}/responses"
                return extension.get("responses") or {}, pointer
        raise Failure(f"method {method.upper()} is not documented for {template}")

    def validator(self, pointer):
        """A 2020-12 validator for the schema at `pointer` in the document."""
        if pointer not in self._validators:
            schema = {"$ref": f"{SPEC_URI}#{pointer}"}
            self._validators[pointer] = SchemaValidator(schema, registry=self.registry)
        return self._validators[pointer]

    def schema_errors(self, pointer, instance):
        errors = sorted(self.validator(pointer).iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
        reasons = []
        for error in errors:
            where = "/".join(map(str, error.absolute_path)) or "(root)"
            reason = f"{where}: {error.message}"
            deepest = self._deepest(error)
            if deepest is not error:  # anyOf/oneOf: say what failed in the closest candidate
                inner = "/".join(map(str, deepest.absolute_path)) or "(root)"
                reason += f" ({inner}: {deepest.message})"
            reasons.append(shortened(reason))
        return reasons

    @staticmethod
    def _deepest(error):
        """The sub-error of an anyOf/oneOf failure that got furthest into the instance."""
        while error.context:
            error = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
        return error


def shortened(text, limit=400):
    """`text` on one line, cut to `limit` characters (messages quote whole instances)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def printable(text):
    """`text` with control characters escaped, so a failure stays on one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def media_type(value):
    return value.split(";", 1)[0].strip().lower()


def media_type_matches(actual, documented):
    """`documented` may be a range: `*/*`, `application/*`, `application/*+json`."""
    documented = documented.lower()
    if documented == actual:
        return True
    pattern = "^" + re.escape(documented).replace(r"\*", "[^/]*") + "$"
    return re.match(pattern, actual) is not None


def strict_json(text):
    """Parses RFC 8259 JSON: rejects NaN/Infinity and duplicate keys."""

    def no_constant(name):
        raise ValueError(f"{name} is not JSON")

    def no_duplicates(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen[key] = value
        return seen

    return json.loads(text, parse_constant=no_constant, object_pairs_hook=no_duplicates)


def header_value(spec, schema, schema_pointer, value):
    """Checks one header value against its (scalar) schema; returns a reason or None."""
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    instance = value
    if "integer" in types and "string" not in types:
        if not re.fullmatch(r"[0-9]+", value.strip()):
            return f"{value!r} is not a non-negative integer"
        instance = int(value.strip())
    elif "number" in types and "string" not in types:
        try:
            instance = float(value)
        except ValueError:
            return f"{value!r} is not a number"
    errors = spec.schema_errors(schema_pointer, instance)
    return f"{value!r}: {errors[0]}" if errors else None


def check_sample(spec, sample):
    """Returns a list of failure reasons for one sample."""
    method = str(sample.get("method", "")).lower()
    path = sample.get("path")
    status = sample.get("status")
    headers = {str(k).lower(): v for k, v in (sample.get("headers") or {}).items()}
    body = sample.get("body")
    body = "" if body is None else body
    if not method or not isinstance(path, str) or not isinstance(status, int):
        raise Failure("the sample needs a method, a path and an integer status")

    template, item = spec.path_item(path)
    responses, responses_pointer = spec.responses(template, item, method)
    key = str(status)
    if key in responses:
        response_key = key
    elif f"{key[0]}XX" in responses:
        response_key = f"{key[0]}XX"
    elif "default" in responses:
        response_key = "default"
    else:
        raise Failure(f"status {status} is not documented for {method.upper()} {template}")
    response, response_pointer = spec.resolve(
        responses[response_key], f"{responses_pointer}/{pointer_segment(response_key)}")

    reasons = []
    for name, header in (response.get("headers") or {}).items():
        header_pointer = f"{response_pointer}/headers/{pointer_segment(name)}"
        header, header_pointer = spec.resolve(header, header_pointer)
        if name.lower() == "content-type":
            continue  # OpenAPI ignores a Content-Type header definition
        value = headers.get(name.lower())
        if value is None:
            if header.get("required"):
                reasons.append(f"missing required header {name}")
            continue
        schema = header.get("schema")
        if isinstance(schema, dict):
            schema, schema_pointer = spec.resolve(schema, f"{header_pointer}/schema")
            reason = header_value(spec, schema, schema_pointer, str(value))
            if reason:
                reasons.append(f"header {name} {reason}")

    content = response.get("content") or {}
    if method == "head":
        if body:
            reasons.append("a HEAD response has a body")
        return reasons
    if not content:
        if body:
            reasons.append(f"status {status} documents no content, but the body is not empty")
        return reasons

    content_type = headers.get("content-type")
    if content_type is None:
        reasons.append("missing Content-Type")
        return reasons
    actual = media_type(content_type)
    documented = next((m for m in content if m.lower() == actual), None)
    if documented is None:
        documented = next((m for m in content if media_type_matches(actual, m)), None)
    if documented is None:
        reasons.append(f"Content-Type {actual!r} is not documented (expected {', '.join(content)})")
        return reasons
    if body == "":
        reasons.append(f"empty body, expected {documented}")
        return reasons
    media = content[documented] or {}
    if "schema" not in media:
        return reasons
    if not (documented.endswith("/json") or documented.endswith("+json")):
        return reasons  # only JSON bodies are validated
    try:
        instance = strict_json(body)
    except ValueError as error:
        reasons.append(f"body is not JSON: {error}")
        return reasons
    schema_pointer = f"{response_pointer}/content/{pointer_segment(documented)}/schema"
    _, schema_pointer = spec.resolve(media["schema"], schema_pointer)
    for error in spec.schema_errors(schema_pointer, instance):
        reasons.append(f"body {error}")
    return reasons


def check_responses(spec_path, samples_path, out=sys.stdout):
    """Checks every sample; prints failures and a summary; returns the number of failures."""
    spec = Spec(load_spec(spec_path))
    checked = failures = 0
    with open(samples_path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            checked += 1
            label = f"line {number}"
            try:
                sample = json.loads(line)
                if not isinstance(sample, dict):
                    raise Failure("the sample is not a JSON object")
                label = printable(f"{str(sample.get('method', '?')).upper()} {sample.get('path', '?')} {sample.get('status', '?')}")
                reasons = check_sample(spec, sample)
            except json.JSONDecodeError as error:
                reasons = [f"line {number} is not JSON: {error}"]
            except Failure as error:
                reasons = [str(error)]
            for reason in reasons:
                print(f"{label}: {reason}", file=out)
            failures += 1 if reasons else 0
    print(f"checked {checked} responses, {failures} failures", file=out)
    return failures


def main(argv):
    usage = ("usage: check_responses.py validate-spec OPENAPI.yaml\n"
             "       check_responses.py check-responses OPENAPI.yaml SAMPLES.jsonl")
    if len(argv) == 3 and argv[1] == "validate-spec":
        try:
            validate_spec(argv[2])
        except Exception as error:  # the validator raises several unrelated types
            message = " ".join(str(error).split())
            print(f"{argv[2]}: invalid OpenAPI 3.1: {message[:500]}")
            return 1
        print(f"{argv[2]}: valid OpenAPI 3.1")
        return 0
    if len(argv) == 4 and argv[1] == "check-responses":
        try:
            failures = check_responses(argv[2], argv[3])
        except (OSError, ValueError, yaml.YAMLError) as error:
            print(f"check_responses.py: {error}", file=sys.stderr)
            return 2
        return 1 if failures else 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
