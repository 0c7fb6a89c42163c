"""Quantities written the way people write them in a design: `5m`, `1h`, `1Gi`.

Each parser accepts the plain number too (seconds, MiB) and raises ValueError with
a message that names the accepted forms, so Pydantic reports it at the field.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from blueprints.problems import shown

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
_MILLIS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(Mi|Gi|M|G)?\s*$")
_MEMORY_UNITS = {"Mi": 1, "Gi": 1024, "M": 1_000_000 / 1_048_576, "G": 1_000_000_000 / 1_048_576, None: 1}


def parse_duration(value: object) -> int:
    """`90s`, `5m`, `1h`, `1d` or a number of seconds -> whole seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 60s, 5m, 1h or 1d")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value)):
        seconds = float(match.group(1)) * _DURATION_UNITS[match.group(2)]
    else:
        raise ValueError(f"expected a duration such as 60s, 5m, 1h or 1d, got {shown(value)}")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return round(seconds)


def parse_millis(value: object) -> float:
    """`50ms`, `0.3s` or a number of milliseconds -> milliseconds (a latency: fractions kept)."""
    if isinstance(value, bool):
        raise ValueError("expected a latency such as 50ms or 0.3s")
    if isinstance(value, int | float):
        millis = float(value)
    elif isinstance(value, str) and (match := _MILLIS.fullmatch(value)):
        millis = float(match.group(1)) * (1000.0 if match.group(2) == "s" else 1.0)
    else:
        raise ValueError(f"expected a latency such as 50ms or 0.3s, got {shown(value)}")
    if millis <= 0:
        raise ValueError("a latency must be above 0 ms")
    return round(millis, 3)


def format_millis(millis: float) -> str:
    """`50ms`, `0.5ms`, `1500ms`: milliseconds as the blueprint writes them."""
    return f"{millis:g}ms"


def parse_memory(value: object) -> int:
    """`512Mi`, `1Gi` (or M/G, or a number of MiB) -> whole MiB."""
    if isinstance(value, bool):
        raise ValueError("expected memory such as 512Mi or 1Gi")
    if isinstance(value, int | float):
        mib = float(value)
    elif isinstance(value, str) and (match := _MEMORY.fullmatch(value)):
        mib = float(match.group(1)) * _MEMORY_UNITS[match.group(2)]
    else:
        raise ValueError(f"expected memory such as 512Mi or 1Gi, got {shown(value)}")
    return round(mib)


def format_duration(seconds: float) -> str:
    """The shortest exact form: 3600 -> `1h`, 90 -> `90s`, 0.5 -> `0.5s`."""
    if seconds and seconds == int(seconds):
        whole = int(seconds)
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if whole % size == 0:
                return f"{whole // size}{unit}"
        return f"{whole}s"
    return f"{seconds:g}s"


def human_duration(seconds: float) -> str:
    """Approximate, for reading: 31557.6 -> `8.77 h`, 25.92 -> `25.9 s`."""
    for unit, size in (("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": _DURATION.pattern}, {"type": "number", "minimum": 0}]}),
]
"""Seconds; written as `60s`, `5m`, `1h`, `1d` or a number of seconds."""

Millis = Annotated[
    float,
    BeforeValidator(parse_millis),
    PlainSerializer(format_millis, return_type=str, when_used="json"),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "pattern": _MILLIS.pattern}, {"type": "number", "exclusiveMinimum": 0}]}
    ),
]
"""Milliseconds; written as `50ms`, `0.3s` or a number of milliseconds."""

Memory = Annotated[
    int,
    BeforeValidator(parse_memory),
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": _MEMORY.pattern}, {"type": "number", "minimum": 1}]}),
]
"""MiB; written as `512Mi`, `1Gi` or a number of MiB."""
