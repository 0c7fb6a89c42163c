"""pytest plugin (entry point `hld`): the `hld_synth` fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def hld_synth() -> Iterator[Callable[..., Any]]:
    """`hld.testing.synth`; the moto session of the test is stopped when it ends."""
    from hld.testing import synth

    yield synth
    from hld.cloud import Session

    Session.stop()
