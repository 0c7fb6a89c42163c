"""moto's state, moved aside and put back: how an offline run gets an AWS of its own in a process
whose moto state may be a user's.

moto keeps all of its state in module-level `BackendDict`s, one per service (account -> region
-> backend), and lists those in use in `BackendDict._instances` (what `mock_aws` resets); the
dashboard's record of model instances is in `moto.core.model_instances.model_data`. A few
`BackendDict`s also keep an index across accounts in an attribute of their own (S3's
`bucket_accounts`, Organizations' `master_accounts`): every container attribute a plain
`BackendDict` does not have moves with the state. moto has
no notion of two states side by side: `mock_aws().start(reset=True)` inside a user's own
`mock_aws` shares the user's state (nested mocks never reset), and a reset would wipe it. So a
run `take()`s whatever state is there (the user's, or nothing), runs in empty backends, then
`take()`s its own (kept for reading it back later) and `put()`s the user's back. Moving the
account-level objects between the same `BackendDict`s is a few dict operations per service, and
nothing of either state is copied or reset.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any


@dataclass
class MotoState:
    """The contents of moto's backends and its record of model instances, held outside moto."""

    backends: list[tuple[Any, list[tuple[str, Any]]]] = field(default_factory=list)
    indexes: list[tuple[Any, str, Any]] = field(default_factory=list)
    tracked: list[tuple[Any, list[Any]]] = field(default_factory=list)


_CONTAINERS = (dict, list, set)


@functools.cache
def _plain() -> frozenset[str]:
    """The attributes every BackendDict has (what its subclasses add is state)."""
    from moto.core.base_backend import BackendDict, BaseBackend

    return frozenset(vars(BackendDict(BaseBackend, "hld-probe")))


def _indexes(b: Any) -> list[tuple[Any, str, Any]]:
    return [(b, k, v) for k, v in vars(b).items() if k not in _plain() and isinstance(v, _CONTAINERS)]


def take() -> MotoState:
    """moto's current state, removed from moto (which is left empty, as after a reset)."""
    from moto.core.base_backend import BackendDict, backend_lock
    from moto.core.model_instances import model_data

    with backend_lock:
        in_use = BackendDict._instances  # type: ignore[misc]
        state = MotoState(
            backends=[(b, list(dict.items(b))) for b in in_use],
            indexes=[index for b in in_use for index in _indexes(b)],
            tracked=[(m, m.instances_tracked) for models in model_data.values() for m in models.values()],  # type: ignore[attr-defined]
        )
        for b, _ in state.backends:
            dict.clear(b)
        for b, name, value in state.indexes:
            setattr(b, name, type(value)())
        in_use.clear()
        for m, _ in state.tracked:
            m.instances_tracked = []
    return state


def put(state: MotoState) -> None:
    """`state` back in moto, in place of what is there (take() it first to keep that)."""
    from moto.core.base_backend import BackendDict, backend_lock
    from moto.core.model_instances import model_data

    with backend_lock:
        in_use = BackendDict._instances  # type: ignore[misc]
        for b in in_use:
            dict.clear(b)
            for _, name, value in _indexes(b):
                setattr(b, name, type(value)())
        for models in model_data.values():
            for m in models.values():
                m.instances_tracked = []  # type: ignore[attr-defined]
        for b, items in state.backends:
            dict.update(b, items)
        for b, name, value in state.indexes:
            setattr(b, name, value)
        in_use[:] = [b for b, _ in state.backends]
        for m, tracked in state.tracked:
            m.instances_tracked = tracked
