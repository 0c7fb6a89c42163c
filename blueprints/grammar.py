"""The grammars of the strings a blueprint hands to other programs.

A blueprint's strings end up in shell lines (the kind render's README), in Job scripts, in
Kubernetes manifests, in AWS API calls and in the HLD document. Each is accepted only in the
form every one of those consumers reads the same way; anything else is refused at validation
with what is wrong and a fix, never passed on for a shell, a Markdown renderer or a load
balancer to interpret. Every check matches the whole string (`re.fullmatch`): Python's `$` also
matches before a final newline, so `^...$` with `re.match` lets `"GET /x\\n"` through.

Container images: the OCI/Docker reference grammar of distribution/reference (regexp.go,
https://github.com/distribution/reference/blob/main/regexp.go; the grammar in reference.go):

    reference     := name [ ":" tag ] [ "@" digest ]
    name          := [domain "/"] remote-name           (at most 255 characters)
    domain        := host [":" port-number]
    host          := domain-name | IPv4address | "[" IPv6address "]"
    domain-name   := domain-component ["." domain-component]*
    domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
    remote-name   := path-component ["/" path-component]*
    path-component := alpha-numeric [separator alpha-numeric]*
    alpha-numeric := /[a-z0-9]+/
    separator     := /[_.]|__|[-]+/
    tag           := /[\\w][\\w.-]{0,127}/
    digest        := algorithm ":" hex             (go-digest: sha256 64, sha384 96, sha512
                                                    128 lower-case hex digits)

less the bracketed IPv6 host: ECS's `image` takes letters, digits, `-_:./#` and digests
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_image),
not `[` `]` (a shell glob, too).

Route paths: what both targets read the same way.
- An ALB path pattern (AWS ELB docs, "Path conditions",
  https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#path-conditions)
  is at most 128 characters of `A-Z a-z 0-9 _ - . $ / ~ " ' @ : +`, `&` (as `&amp;`), and the
  wildcards `*` (any characters, `/` included) and `?` (exactly one).
- The kind target writes each route as an Ingress path of pathType Prefix (element-wise prefix
  match; generators/kubernetes/network.py). The Kubernetes API refuses Exact and Prefix paths
  that are not absolute or hold `//`, `/./`, `/../`, `%2f`, `%2F` or end in `/..` or `/.`
  (kubernetes pkg/apis/networking/validation/validation.go: invalidPathSequences,
  invalidPathSuffixes). ingress-nginx, whose `strict-validate-path-type` is on by default since
  v1.12, refuses Exact and Prefix paths outside `(?i)^/[[:alnum:]\\_\\-/]*$` in the pinned
  controller-v1.13.0 (internal/ingress/inspector/rules.go, `validPathType`; v1.13.9 and later
  add `.`, no version `~`); `*` and `?` are literal characters there, and refused.
So a route path is `/` and segments of letters, digits and `-._~` (the ALB reads all of them
literally), none empty, `.` or `..` (the API's rules); `{name}` stands for a variable part (the
ALB's `*`) and a whole last segment `*` for everything below (ALB `/a/*`). On kind the Ingress
Prefix path is the leading segments of letters, digits, `-` and `_` (what the controller admits)
and stops before the first other one (`/files/{name}`, `/files/*` -> `/files`; `/v1.0/x` -> `/`):
the service sees the whole path either way. `*` anywhere else and `?` mean different things on
the two targets: refused.

Free text (descriptions) is a paragraph: no control characters but tab and line break, no
bidirectional overrides or line/paragraph separators (they reorder or break what a terminal,
an editor or a renderer shows); the HLD document escapes what Markdown and HTML would read in
it (generators/docs).
"""

from __future__ import annotations

import re
import unicodedata

from blueprints import limits
from blueprints.problems import shown

# distribution/reference regexp.go, transcribed (`\w` is ASCII there: [0-9A-Za-z_])
_ALPHANUMERIC = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = _ALPHANUMERIC + r"(?:" + _SEPARATOR + _ALPHANUMERIC + r")*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN_NAME = _DOMAIN_COMPONENT + r"(?:\." + _DOMAIN_COMPONENT + r")*"
_IPV6 = r"\[(?:[a-fA-F0-9:]+)\]"
_DOMAIN_AND_PORT = r"(?:" + _DOMAIN_NAME + r"|" + _IPV6 + r")(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REMOTE_NAME = _PATH_COMPONENT + r"(?:/" + _PATH_COMPONENT + r")*"
_NAME = r"(?:" + _DOMAIN_AND_PORT + r"/)?" + _REMOTE_NAME
IMAGE_REFERENCE = re.compile(r"(" + _NAME + r")(?::(" + _TAG + r"))?(?:@(" + _DIGEST + r"))?", re.ASCII)
"""distribution/reference's ReferenceRegexp (match it with fullmatch): name, tag, digest."""
NAME_TOTAL_LENGTH_MAX = 255
"""reference.go's NameTotalLengthMax: the name (domain and path) is at most 255 characters."""
DIGEST_HEX = {"sha256": 64, "sha384": 96, "sha512": 128}
"""go-digest's algorithms and the lower-case hex digits of each (Digest.Validate)."""
_IDENTIFIER = re.compile(r"[a-f0-9]{64}", re.ASCII)
"""A bare 64-hex identifier: distribution refuses it as a repository name (an image id)."""

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "ANY")
PATH_LITERAL = "A-Za-z0-9._~-"
"""The characters of a path segment both targets read literally (ingress-nginx's
`pathAlphaNumeric` less `/`; every one is in the ALB's set)."""
_LITERAL = re.compile(f"[{PATH_LITERAL}]+", re.ASCII)
_PARAMETER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}", re.ASCII)
_SEGMENT = re.compile(rf"(?:[{PATH_LITERAL}]|\{{[A-Za-z_][A-Za-z0-9_]*\}})+", re.ASCII)
ROUTE_EXAMPLE = "'GET /items/{id}'"

IMAGE_SCHEMA_PATTERN = "^" + IMAGE_REFERENCE.pattern + "$"
"""The reference grammar as a JSON Schema pattern (a hint for editors; `hld validate` decides)."""
HEALTH_SCHEMA_PATTERN = rf"^(/(?!\.\.?(/|$))[{PATH_LITERAL}]+)*/?$"
"""A literal path as a JSON Schema pattern: segments of PATH_LITERAL, none empty, `.` or `..`."""

_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
_SEPARATORS = {"\u2028", "\u2029", "\u0085"}


def _char(c: str) -> str:
    return f"{shown(c)} (U+{ord(c):04X})"


def _lower_repository(image: str) -> str:
    """`image` with its repository (not its registry or its tag) in lower case."""
    head, slash, rest = image.partition("/")
    registry = slash and ("." in head or ":" in head or head == "localhost" or head != head.lower())
    prefix, remote = (head + "/", rest) if registry else ("", image)
    name, at, digest = remote.partition("@")
    repository, colon, tag = name.rpartition(":") if ":" in name else (name, "", "")
    return prefix + repository.lower() + colon + tag + at + digest


def image_problem(image: str) -> str | None:
    """What is wrong with `image` as a container image reference, or None."""
    match = IMAGE_REFERENCE.fullmatch(image)
    if match is None or "[" in image:
        bad = next((c for c in image if not (c.isascii() and (c.isalnum() or c in "._-/:@"))), None)
        why = f"character {_char(bad)} is not in an image reference" if bad else "it is not an image reference"
        if bad in ("[", "]"):
            why = "a bracketed IPv6 registry is not an image ECS runs"
        elif bad is None and IMAGE_REFERENCE.fullmatch(_lower_repository(image)):
            why = "a repository is written in lower case"
        return (
            f"image {shown(image)}: {why} ([registry[:port]/]repository[:tag][@digest]; the repository in "
            "lower case, a tag of letters, digits, '_', '.' and '-', up to 128); e.g. 'ghcr.io/acme/api:1.4.2'"
        )
    name, _tag, digest = match.groups()
    if len(name) > NAME_TOTAL_LENGTH_MAX:
        return f"image name is {len(name)} characters; a repository name holds {NAME_TOTAL_LENGTH_MAX} at most"
    if _IDENTIFIER.fullmatch(name):
        return f"image {shown(image)} is a 64-hex image id, not a repository; e.g. 'ghcr.io/acme/api:1.4.2'"
    if digest is not None:
        algorithm, hexdigits = digest.split(":", 1)
        want = DIGEST_HEX.get(algorithm)
        if want is None or len(hexdigits) != want or not re.fullmatch(r"[a-f0-9]+", hexdigits, re.ASCII):
            return (
                f"image digest {shown(digest)} is not sha256, sha384 or sha512 with 64, 96 or 128 lower-case hex "
                "digits; e.g. 'ghcr.io/acme/api@sha256:' followed by the 64 digits `docker inspect` prints"
            )
    return None


def route_path_problem(path: str, what: str = "route path", example: str = ROUTE_EXAMPLE) -> str | None:
    """What is wrong with `path` as a route's path, or None (see the module's docstring)."""
    if not path.startswith("/"):
        return f"{what} {shown(path)} does not start with '/'; e.g. {example}"
    segments = path[1:].split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "" and last:
            continue  # `/` alone, or a final slash
        if segment == "*" and last:
            continue  # everything below: ALB `/a/*`, Ingress Prefix `/a`
        if segment == "":
            return f"{what} {shown(path)} has an empty segment ('//'), which an Ingress refuses; e.g. {example}"
        if segment in (".", ".."):
            return (
                f"{what} {shown(path)} has a {segment!r} segment, which clients resolve away and an "
                f"Ingress refuses; e.g. {example}"
            )
        if _SEGMENT.fullmatch(segment):
            continue
        rest = _PARAMETER.sub("", segment)
        bad = next((c for c in rest if not _LITERAL.fullmatch(c)), None)
        if bad in ("*", "?"):
            return (
                f"{what} {shown(path)}: {bad!r} is a wildcard on the load balancer and a literal character, "
                "refused, in an ingress-nginx Prefix path; write a `{name}` parameter for a variable part, or `*` "
                "as the whole last segment for everything below; e.g. 'GET /files/{name}' or 'GET /files/*'"
            )
        if bad in ("{", "}"):
            return (
                f"{what} {shown(path)}: a parameter is `{{name}}` (a letter or '_', then letters, digits "
                f"and '_'); e.g. {example}"
            )
        shown_bad = _char(bad) if bad is not None else shown(segment)
        return (
            f"{what} {shown(path)}: character {shown_bad} is not allowed; a path is '/' and segments of "
            f"letters, digits, '-', '.', '_', '~' and `{{name}}` parameters (what both an ALB path pattern and "
            f"an ingress-nginx Prefix path read literally); e.g. {example}"
        )
    return None


def route_problem(route: str) -> str | None:
    """What is wrong with `route` as `METHOD /path`, or None."""
    method, sep, path = route.partition(" ")
    if not sep or method not in METHODS:
        return f"route {shown(route)} is not `METHOD /path` (methods: {' '.join(METHODS)}); e.g. 'GET /{{code}}'"
    if problem := route_path_problem(path):
        return problem
    if len(path) > limits.MAX_PATH:
        return f"route path is {len(path)} characters; a load-balancer path pattern holds {limits.MAX_PATH} at most"
    return None


def health_problem(path: str) -> str | None:
    """What is wrong with `path` as a health-check path (a literal route path), or None."""
    if problem := route_path_problem(path, "health path", "'/healthz'"):
        return problem
    if "{" in path or path.endswith("*"):
        return f"health path {shown(path)} has a parameter or a wildcard; a health path is literal, e.g. '/healthz'"
    return None


def text_problem(text: str) -> str | None:
    """What is wrong with `text` as free text (a paragraph), or None."""
    for i, c in enumerate(text):
        if c in "\n\t":
            continue
        if c in _BIDI or c in _SEPARATORS or unicodedata.category(c) in ("Cc", "Cs"):
            return (
                f"expected plain text without control or bidirectional-override characters (line breaks and "
                f"tabs are kept), got {_char(c)} at character {i + 1}"
            )
    return None
