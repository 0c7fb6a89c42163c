"""pytest plugin (entry point `hld`): the `hld_synth` fixture.

pulumi-aws marks some of its own modules deprecated when they are imported (S3's *V2
resources, EC2's EncryptionControl); pytest would show those warnings in every user's test
summary although no user code calls them. The plugin filters exactly those: DeprecationWarnings
raised from pulumi_aws's modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

PULUMI_AWS_DEPRECATIONS = "ignore::DeprecationWarning:pulumi_aws.*"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", PULUMI_AWS_DEPRECATIONS)


@pytest.fixture
def hld_synth() -> Iterator[Callable[..., Any]]:
    """`hld.testing.synth`; the moto state the test's last run kept is dropped when it ends."""
    from hld.testing import synth

    yield synth
    from hld.offline.moto import Session

    Session.stop()
