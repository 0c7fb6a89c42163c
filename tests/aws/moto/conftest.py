from __future__ import annotations

import functools

import pytest

from hld.testing import Tested as Result
from hld.testing import synth_stack
from tests.aws.mocks.conftest import STACKS


@functools.cache
def in_moto(stack: str) -> Result:
    """One moto-backed run per stack per session. Its graph and plan stay readable; its moto
    state is replaced by the next moto run (tests that read moto back run their own)."""
    return synth_stack(stack, cloud="moto")


@pytest.fixture(params=STACKS)
def moto_stack(request) -> Result:
    return in_moto(request.param)
