from __future__ import annotations

import pytest

from tests.helpers import EXAMPLES


@pytest.fixture
def example_text():
    def read(name: str) -> str:
        return (EXAMPLES / f"{name}.yaml").read_text()

    return read
