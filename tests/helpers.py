"""Shared helpers for the tests."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "blueprints" / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
PROPERTY_EXAMPLES = int(os.environ.get("HLD_PROPERTY_EXAMPLES", "300"))
"""How hard the property tests look: 300 examples by default (each test takes its share of it);
CI runs 100 (.ci/run), a local hunt thousands (`HLD_PROPERTY_EXAMPLES=5000 make unit`)."""
DESIGNS = ROOT / "tests" / "data" / "designs"
"""Blueprints written for the tests, as other authors would write them in the published format."""
DESIGN_FILES = sorted(DESIGNS.glob("*.yaml"))


BASE = {
    "name": "shop",
    "availability": 99.9,
    "edge": {"domain": "shop.example.com"},
    "services": [
        {
            "name": "api",
            "image": "ghcr.io/x/api:1",
            "public": True,
            "routes": ["GET /"],
            "uses": ["db"],
            "peak_rps": 1000,
            "rps_per_replica": 100,
        }
    ],
    "datastores": [{"name": "db", "kind": "relational"}],
}


def make(**changes):
    """A blueprint document: BASE with top-level fields replaced (None deletes)."""
    import copy

    doc = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def parse_doc(doc):
    import yaml

    from blueprints import parse

    return parse(yaml.safe_dump(doc, sort_keys=False), "test.yaml")
