"""A blueprint must not become a command (issue 23 §2): every string that reaches a shell line,
a Job script, a manifest or a document is refused at validation unless it is in its grammar
(blueprints.grammar), and what reaches an output is quoted or escaped there all the same.

Two layers, each tested on its own: validation (the reported inputs, a trailing newline on every
patterned field, a property over hostile strings in every free-text and name field) and the
outputs (hostile strings put straight into a Plan, past validation: the kind README's shell lines
keep their argument count, the Job scripts their shape, HLD.md its Markdown structure and its
Mermaid its grammar)."""

from __future__ import annotations

import copy
import functools
import re
import shlex
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from blueprints import BlueprintError, parse, plan
from blueprints.model import Blueprint
from blueprints.plan_model import Plan
from generators.docs.document import document
from generators.kubernetes.render import files
from hld.cli import app
from tests.helpers import PROPERTY_EXAMPLES

runner = CliRunner()
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

DOC: dict[str, Any] = {
    "name": "shop",
    "description": "A shop.",
    "availability": 99.9,
    "regions": ["us-east-1"],
    "edge": {"domain": "shop.example.com", "hosted_zone": "Z123ABC"},
    "services": [
        {
            "name": "api",
            "description": "The API.",
            "image": "ghcr.io/x/api:1",
            "public": True,
            "health": "/healthz",
            "routes": ["GET /items/{id}", {"route": "POST /items", "uses": ["db"]}],
            "uses": ["db", {"name": "cache"}, "files"],
            "peak_rps": 100,
        }
    ],
    "datastores": [
        {"name": "db", "kind": "key-value", "description": "Items.", "partition_key": "pk", "ttl_attribute": "exp"},
        {"name": "cache", "kind": "cache", "description": "Hot items."},
        {"name": "files", "kind": "object", "description": "Uploads."},
    ],
}
"""A blueprint whose render has every kind of shell line: an image to load, a public route to
curl with a Host header, a bootstrap Job per AWS API (a table with its key and TTL, a bucket),
a cache with AUTH."""


def _render(p: Plan) -> tuple[dict[str, str], str]:
    return files(p), document(p)


# -- the shell: commands as words, each word knowing whether a shell would read anything in it


SHELL_META = set(";&|<>()$`\\*?[]{}~!#")


def shell_commands(text: str) -> list[list[tuple[str, bool]]]:
    """POSIX sh's reading of `text`: commands (split at unquoted line breaks), each a list of
    (word, whether the word holds an unquoted or double-quoted character a shell acts on:
    expansion, globbing, operators, history)."""
    commands: list[list[tuple[str, bool]]] = [[]]
    word: str | None = None
    meta = False
    state = ""
    i = 0

    def end() -> None:
        nonlocal word, meta
        if word is not None:
            commands[-1].append((word, meta))
        word, meta = None, False

    while i < len(text):
        c = text[i]
        if state == "'":
            if c == "'":
                state = ""
            else:
                word = (word or "") + c
        elif state == '"':
            if c == '"':
                state = ""
            elif c == "\\" and i + 1 < len(text) and text[i + 1] in '$`"\\\n':
                word, i = (word or "") + text[i + 1], i + 1
            else:
                meta = meta or c in "$`!"
                word = (word or "") + c
        elif c in " \t":
            end()
        elif c == "\n":
            end()
            commands.append([])
        elif c == "#" and word is None:
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif c in "'\"":
            state, word = c, word or ""
        elif c == "\\":
            word, i = (word or "") + text[i + 1 : i + 2], i + 1
        else:
            meta = meta or c in SHELL_META
            word = (word or "") + c
        i += 1
    assert state == "", f"an unterminated {state} quote in {text!r}"
    end()
    return [c for c in commands if c]


def readme_commands(readme: str) -> list[list[tuple[str, bool]]]:
    blocks = re.findall(r"^```sh\n(.*?)^```$", readme, re.S | re.M)  # a fence closes at a line's start
    return [c for block in blocks for c in shell_commands(block)]


def job_scripts(tree: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, text in tree.items():
        if name.startswith("job-"):
            job = yaml.load(text, Loader=LOADER)
            out[name] = job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    return out


def shape(commands: list[list[tuple[str, bool]]]) -> list[list[bool]]:
    """A script's structure: per command, which words a shell acts on (the text aside)."""
    return [[meta for _, meta in command] for command in commands]


# -- Markdown and Mermaid


@functools.lru_cache(maxsize=4)
def markdown_shape(text: str) -> list[tuple[str, ...]]:
    """HLD.md's structure as a CommonMark + GFM-tables parser reads it: block tokens, and inline
    tokens other than text (emphasis, links, code spans, raw HTML, breaks)."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    out: list[tuple[str, ...]] = []
    for token in md.parse(text):
        if token.type == "inline":
            out += [("inline", t.type) for t in token.children or [] if t.type not in ("text", "text_special")]
        elif token.type == "fence":
            out.append(("fence", token.info))
        else:
            out.append((token.type, token.tag))
    return out


LABEL = r"(?:[A-Za-z0-9 .,:;()+_/\'-]|#[0-9]+;)*"
MERMAID_LINE = re.compile(
    rf'flowchart LR|  subgraph \w+\["{LABEL}"\]|  end|(?:  |    )\w+\["{LABEL}"\]|  \w+ -->(?:\|{LABEL}\|)? \w+'
)
"""Every line generators.docs.Diagram.mermaid writes, labels made of Mermaid-safe characters and
entity codes only."""


def mermaid_lines(doc: str) -> list[str]:
    [block] = re.findall(r"^```mermaid\n(.*?)^```$", doc, re.S | re.M)
    return block.rstrip("\n").split("\n")


def assert_outputs_hold(
    tree: dict[str, str], doc: str, baseline: tuple[dict[str, str], str], renamed: tuple[str, str] = ("", "")
) -> None:
    """The outputs have the structure of the benign render's (`renamed`: a name changed, in file names too)."""
    base_tree, base_doc = baseline
    if renamed[0]:
        tree = {k.replace(renamed[1], renamed[0]) if k.endswith(".yaml") else k: v for k, v in tree.items()}
    assert set(tree) == set(base_tree)
    ours, theirs = readme_commands(tree["README.md"]), readme_commands(base_tree["README.md"])
    assert [len(c) for c in ours] == [len(c) for c in theirs], "a README command changed its argument count"
    assert not any(meta for command in ours for _, meta in command), "a README word a shell would act on"
    ours_jobs, theirs_jobs = job_scripts(tree), job_scripts(base_tree)
    for name, script in ours_jobs.items():
        assert shape(shell_commands(script)) == shape(shell_commands(theirs_jobs[name])), name
    for name, text in tree.items():  # what the injected strings reach parses as YAML
        if name.startswith(("deployment-", "ingress-", "job-")):
            yaml.load(text, Loader=LOADER)
    assert markdown_shape(doc) == markdown_shape(base_doc), "HLD.md's Markdown structure changed"
    lines = mermaid_lines(doc)
    assert len(lines) == len(mermaid_lines(base_doc))
    assert all(MERMAID_LINE.fullmatch(line) for line in lines), [x for x in lines if not MERMAID_LINE.fullmatch(x)]
    for out in [doc, *tree.values()]:
        assert not [c for c in out if c != "\n" and not c.isprintable()], "a control character reached an output"


@functools.cache
def _baseline() -> tuple[Plan, tuple[dict[str, str], str]]:
    p = plan(parse(yaml.safe_dump(DOC), "shop.yaml"))
    return p, _render(p)


# -- validation: the reported inputs


REPORTED = [
    (("services", 0, "image"), "ghcr.io/x/y:1;touch${IFS}/tmp/PWNED;#"),
    (("services", 0, "image"), "ghcr.io/x/y:1\x1b[2J\x1b]0;pwned\x07"),
    (("services", 0, "routes", 0), "GET /$(touch$IFS/tmp/PWNED)"),
    (("services", 0, "routes", 0), "GET /(.*)$"),
    (("services", 0, "routes", 0), "GET /a|b"),
    (("services", 0, "routes", 0), "GET /x\n"),
    (("services", 0, "routes", 1, "route"), "POST /x\n"),
    (("services", 0, "routes", 0), "GET /files*"),
    (("services", 0, "routes", 0), "GET /a?b"),
    (("services", 0, "health"), "/healthz;reboot"),
    (("description",), "<b>ok</b>\x1b[31m red"),
    (("services", 0, "description"), "left \u202e right"),
]


def _set(doc: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target: Any = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(("path", "value"), REPORTED, ids=[repr(v)[:40] for _, v in REPORTED])
def test_the_reported_inputs_are_refused_with_a_located_problem_and_a_fix(tmp_path, path, value):
    file = tmp_path / "b.yaml"
    file.write_text(yaml.safe_dump(_set(DOC, path, value), sort_keys=False))
    result = runner.invoke(app, ["validate", str(file)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    field = re.escape("".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip("."))
    located = [x for x in lines if re.match(rf"{re.escape(str(file))}:\d+:\d+: {field}: .+ \[\w+\]$", x)]
    assert located, result.stderr
    assert lines[lines.index(located[0]) + 1].startswith("  Fix: ")
    assert not any(c in result.output for c in "\x1b\x07\u202e"), "the refusal wrote the control bytes back"


def test_a_bad_route_is_located_at_its_item():
    doc = _set(DOC, ("services", 0, "routes"), ["GET /ok", "GET /a|b"])
    with pytest.raises(BlueprintError) as caught:
        parse(yaml.safe_dump(doc, sort_keys=False), "b.yaml")
    [problem] = caught.value.problems
    assert problem.path == ("services", 0, "routes", 1)
    line = yaml.safe_dump(doc, sort_keys=False).splitlines()[problem.line - 1]
    assert "GET /a|b" in line


def test_an_odd_key_is_shown_quoted_in_a_problem_path():
    from blueprints.problems import dotted

    assert dotted(("services", 0, "name\n")) == "services[0]['name\\n']"


def test_wildcards_and_parameters_map_to_each_target_the_same_way():
    from blueprints.routing import path_pattern
    from generators.kubernetes.network import _path

    assert (path_pattern("GET /files/*"), _path("GET /files/*")) == ("/files/*", "/files")
    assert (path_pattern("GET /links/{code}"), _path("GET /links/{code}")) == ("/links/*", "/links")
    # an Ingress Prefix path matches whole segments: `/r` would not match `/r1`
    assert (path_pattern("GET /r{i}/p"), _path("GET /r{i}/p")) == ("/r*/p", "/")


def test_image_references_follow_the_distribution_grammar():
    from blueprints.grammar import image_problem

    digest = "sha256:" + "a" * 64
    for good in ["nginx", "postgres:16.4-alpine", "localhost:5000/a/b:c", "ghcr.io/acme/api@" + digest, "a__b/c-d"]:
        assert image_problem(good) is None, good
    for bad in ["x/Y:1", "a:" + "t" * 129, "a@sha256:" + "A" * 64, "a@md5:" + "a" * 32]:
        assert image_problem(bad) is not None, bad
    for bad in ["[::1]:5000/x", "a" * 64, "x:1 y", "-x", "x/", "x:"]:
        assert image_problem(bad) is not None, bad


# -- validation: the `$`-before-newline class, on every patterned field

PATTERNED = {
    ("Blueprint", "name"): ("name",),
    ("Service", "name"): ("services", 0, "name"),
    ("Service", "image"): ("services", 0, "image"),
    ("Service", "health"): ("services", 0, "health"),
    ("Service", "uses"): ("services", 0, "uses", 0),
    ("Route", "uses"): ("services", 0, "routes", 1, "uses", 0),
    ("UseRef", "name"): ("services", 0, "uses", 1, "name"),
    ("Edge", "domain"): ("edge", "domain"),
    ("Edge", "hosted_zone"): ("edge", "hosted_zone"),
    ("KeyValue", "name"): ("datastores", 0, "name"),
    ("KeyValue", "partition_key"): ("datastores", 0, "partition_key"),
    ("KeyValue", "ttl_attribute"): ("datastores", 0, "ttl_attribute"),
    ("Cache", "name"): ("datastores", 1, "name"),
    ("ObjectStore", "name"): ("datastores", 2, "name"),
    ("Relational", "name"): ("datastores", 3, "name"),
    ("Queue", "name"): ("datastores", 4, "name"),
    ("Alerts", "email"): ("operations", "alerts", "email", 0),
}
"""Each string field with a pattern in the published schema, and where DOC_ALL has one."""
QUANTITIES = re.compile(r"^\^\\s\*\(")
"""Durations and sizes: whitespace around the number is allowed (`\\s*`), and they become numbers
before anything reads them, so a trailing newline never reaches an output."""
VALIDATED = {("services", 0, "routes", 0), ("services", 0, "routes", 1, "route"), ("regions", 0)}
"""String fields checked by a validator or a rule rather than a schema pattern."""

DOC_ALL = copy.deepcopy(DOC)
DOC_ALL["services"][0]["uses"] += ["ledger", "jobs"]
DOC_ALL["datastores"] += [{"name": "ledger", "kind": "relational"}, {"name": "jobs", "kind": "queue"}]
DOC_ALL["operations"] = {"alerts": {"email": ["oncall@example.com"]}}


def _patterned_fields() -> set[tuple[str, str]]:
    schema = Blueprint.model_json_schema()
    found: set[tuple[str, str]] = set()

    def walk(node: Any, owner: str, prop: str | None) -> None:
        if isinstance(node, dict):
            if "pattern" in node and prop is not None and not QUANTITIES.match(node["pattern"]):
                found.add((owner, prop))
            for key, value in node.items():
                if key == "properties":
                    for name, sub in value.items():
                        walk(sub, owner, name)
                else:
                    walk(value, owner, prop)
        elif isinstance(node, list):
            for value in node:
                walk(value, owner, prop)

    walk({k: v for k, v in schema.items() if k != "$defs"}, "Blueprint", None)
    for name, definition in schema["$defs"].items():
        walk(definition, name, None)
    return found


def test_every_patterned_field_is_listed():
    assert _patterned_fields() == set(PATTERNED), "list the new patterned field in PATTERNED"


@pytest.mark.parametrize("path", sorted({*PATTERNED.values(), *VALIDATED}, key=str), ids=str)
def test_every_string_pattern_field_refuses_a_trailing_newline(path):
    plan(parse(yaml.safe_dump(DOC_ALL), "all.yaml"))  # valid as it stands
    target: Any = DOC_ALL
    for part in path:
        target = target[part]
    assert isinstance(target, str), path
    with pytest.raises(BlueprintError) as caught:
        parse(yaml.safe_dump(_set(DOC_ALL, path, target + "\n")), "all.yaml")
    problem = caught.value.problems[0]
    assert problem.line > 1 and problem.column >= 1
    assert path[: len(problem.path)] == tuple(problem.path)[: len(path)], (problem.path, path)


def test_quantities_read_a_trailing_newline_as_the_whitespace_they_allow():
    from blueprints.units import parse_duration, parse_memory

    assert parse_duration("5m\n") == 300 and parse_memory("1Gi\n") == 1024


# -- the outputs, past validation: hostile strings put straight into the plan

SHELL = [";", "|", "&", "$(", "`", "'", '"', "\\", "\n", "*", "?", "[", "]", "{", "}", "!", "#", "~", " ", "\t", ">"]
MARKDOWN = ["#", "*", "_", "`", "```", "<", ">", "|", "[", "](", "!", "~~", "$", "&", "-", "+", "1.", "==="]
YAML = [":", "- ", "{", "}", "[", "]", ",", "&a", "*a", "!!", "%", "@", "'", '"', "? ", "|", ">"]
CONTROL = ["\x00", "\x07", "\x1b[31m", "\x1b]0;t\x07", "\r", "\x7f", "\u202e", "\u2028", "\x85"]
ATTACKS = [
    ";touch${IFS}/tmp/PWNED;#",
    "$(touch$IFS/tmp/PWNED)",
    "`id`",
    "' ; id ; '",
    "\n# Fake heading\n",
    "<script>alert(1)</script>",
    "```mermaid\nflowchart LR\n  x-->y\n```",
    '"] --> evil["',
    "| a | b |",
    "[x](javascript:alert(1))",
    "\x1b[2J",
]
BENIGN = ["-x", ".1", "/v2", "/{id}", "_a", "~u", "x", "0", "-", "."]
"""Additions the grammars accept: so the property also covers blueprints that reach the outputs."""
hostile = st.one_of(
    st.sampled_from(ATTACKS),
    st.lists(st.sampled_from(BENIGN), min_size=1, max_size=3).map("".join),
    st.lists(st.sampled_from(SHELL + MARKDOWN + YAML + CONTROL), min_size=1, max_size=6).map("".join),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=8),
)


def _renamed_in_operations(p: Plan, old: str, new: str) -> Plan:
    """The plan's operations name the service too (its SLOs and watches): renamed with it."""
    ops = p.operations
    if ops is None:
        return p
    slos = [s.model_copy(update={"service": new}) if s.service == old else s for s in ops.slos]
    watches = [w.model_copy(update={"subject": new}) if w.subject == old else w for w in ops.watches]
    return p.model_copy(update={"operations": ops.model_copy(update={"slos": slos, "watches": watches})})


def _inject(p: Plan, where: str, text: str) -> Plan:
    svc = p.services[0]
    if where == "description":
        return p.model_copy(update={"description": f"A shop{text}."})
    if where == "service description":
        changed = svc.model_copy(update={"description": f"The API{text}."})
    elif where == "service name":  # reaches the diagram's labels, code spans, shell lines and manifests
        changed = svc.model_copy(update={"name": f"api{text}"})
        p = _renamed_in_operations(p, svc.name, changed.name)
    elif where == "image":
        changed = svc.model_copy(update={"image": f"ghcr.io/x/api:1{text}"})
    else:  # a route's path
        routes = [
            r.model_copy(update={"route": f"GET /items{text}"}) if r.route.startswith("GET") else r for r in svc.routes
        ]
        changed = svc.model_copy(update={"routes": routes})
    return p.model_copy(update={"services": [changed, *p.services[1:]]})


EXAMPLES = PROPERTY_EXAMPLES // 10 or 1
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]


@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=PHASES, derandomize=True
)
@given(st.sampled_from(["description", "service description", "service name", "image", "route"]), hostile)
def test_outputs_quote_and_escape_whatever_reaches_them(where, text):
    p, rendered = _baseline()
    tree, doc = _render(_inject(p, where, text))
    assert_outputs_hold(tree, doc, rendered, ("api", f"api{text}") if where == "service name" else ("", ""))


def test_the_reported_strings_stay_one_argument_past_validation():
    p, _ = _baseline()
    tree, _ = _render(_inject(p, "image", ";touch${IFS}/tmp/PWNED;#"))
    [load] = [c for c in readme_commands(tree["README.md"]) if c[:2] == [("kind", False), ("load", False)]]
    image = "ghcr.io/x/api:1;touch${IFS}/tmp/PWNED;#"
    assert [w for w, _ in load] == ["kind", "load", "docker-image", image, "--name", "shop"]
    tree, _ = _render(_inject(p, "route", "/$(touch$IFS/tmp/PWNED)"))
    [curl] = [c for c in readme_commands(tree["README.md"]) if c[0][0] == "curl" and ("-i", False) in c]
    assert curl[-1] == ("http://localhost/items/$(touch$IFS/tmp/PWNED)", False)
    shlex.split(tree["README.md"].split("```sh", 1)[1].split("```", 1)[0], comments=True)


def test_the_document_escapes_markdown_and_html_in_free_text():
    p, (_, base_doc) = _baseline()
    for text in ["<script>alert(1)</script>", "\n## 1. Architecture\n", "```mermaid\nx-->y\n```", "a `b` c", "- item"]:
        doc = document(_inject(_inject(p, "description", text), "service description", text))
        assert markdown_shape(doc) == markdown_shape(base_doc), text
        assert "<script>" not in doc and doc.count("\n## ") == base_doc.count("\n## ")


# -- validation: hostile strings in every free-text and name field of a blueprint

FIELDS: dict[str, tuple[tuple[str | int, ...], str]] = {
    "system name": (("name",), "shop{}"),
    "system description": (("description",), "A shop{}."),
    "service name": (("services", 0, "name"), "api{}"),
    "service description": (("services", 0, "description"), "The API{}."),
    "image": (("services", 0, "image"), "ghcr.io/x/api:1{}"),
    "image path": (("services", 0, "image"), "ghcr.io/x/{}api:1"),
    "health": (("services", 0, "health"), "/healthz{}"),
    "route": (("services", 0, "routes", 0), "GET /items{}"),
    "route form": (("services", 0, "routes", 1, "route"), "POST /items{}"),
    "domain": (("edge", "domain"), "shop{}.example.com"),
    "hosted zone": (("edge", "hosted_zone"), "Z123{}"),
    "region": (("regions", 0), "us-east-1{}"),
    "store name": (("datastores", 2, "name"), "files{}"),
    "store description": (("datastores", 0, "description"), "Items{}."),
    "partition key": (("datastores", 0, "partition_key"), "pk{}"),
    "ttl attribute": (("datastores", 0, "ttl_attribute"), "exp{}"),
}


@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=PHASES, derandomize=True
)
@given(st.sampled_from(sorted(FIELDS)), hostile)
def test_a_hostile_string_in_any_field_is_refused_with_a_location_or_reaches_the_outputs_escaped(field, text):
    path, template = FIELDS[field]
    doc = _set(DOC, path, template.format(text))
    if field == "store name":  # what uses it follows
        doc["services"][0]["uses"][2] = doc["datastores"][2]["name"]
    source = yaml.safe_dump(doc, sort_keys=False)
    try:
        p = plan(parse(source, "shop.yaml"))
    except BlueprintError as exc:
        event("refused")
        assert exc.problems
        for problem in exc.problems:
            rendered = problem.render()
            assert re.match(r"shop\.yaml:\d+:\d+: \S.*: .+ \[\w+\]", rendered), rendered
            assert problem.line >= 1 and all(c.isprintable() for c in rendered.replace("\n", "")), rendered
        return
    event("rendered")
    tree, doc_text = _render(p)
    names = {"system name": "shop", "service name": "api", "store name": "files"}
    renamed = (names[field], template.format(text)) if field in names else ("", "")
    assert_outputs_hold(tree, doc_text, _baseline()[1], renamed)


def test_kind_ingress_paths_are_ones_the_api_and_the_pinned_controller_admit():
    from generators.kubernetes import objects
    from generators.kubernetes.network import _path
    from hld.checks.kubernetes import ingress_paths

    assert [_path(f"GET {p}") for p in ["/v1.0/items", "/api/v1.0", "/~u/x", "/a_b/c-d/{x}"]] == [
        "/",
        "/api",
        "/",
        "/a_b/c-d",
    ]
    doc = _set(DOC, ("services", 0, "routes"), ["GET /api/v1.0/items.json", "GET /a~b/{x}", "POST /x_y/z-1"])
    objs = objects(plan(parse(yaml.safe_dump(doc), "b.yaml")))
    assert ingress_paths(objs) == []
    [ingress] = [o for o in objs if o["kind"] == "Ingress"]
    ingress["spec"]["rules"][0]["http"]["paths"][0]["path"] = "/api/v1.0"
    ingress["spec"]["rules"][0]["http"]["paths"][1]["path"] = "/a//b"
    assert len(ingress_paths(objs)) == 2
