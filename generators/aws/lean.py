"""pulumi-aws's service packages, each loaded a module at a time.

`import pulumi_aws` is already lazy at the top: `aws.sqs` is loaded on first use. But the
first use of a service package runs its `__init__.py`, which imports every module of the
service (`from .queue import *`, `from .queue_policy import *`, ... and the input and output
types): 182 modules for `aws.ec2` when a stack uses a dozen of its resources. About 600 such
modules, 0.8 s of a cold run, were loaded for nothing.

`install()` puts a lean package in place of each service package not loaded yet: the same
module path, spec and folder (so its submodules, the input types and the outputs load as
they always do), whose `__init__.py` is not run up front. A name is looked up where the
generated code keeps it (`Queue`, `QueueArgs`: `queue.py`; `get_queue`, `GetQueueResult`:
`get_queue.py`), and only that module is loaded; a name found nowhere else, `__all__` (a star
import), `dir()`, and anything the conventions do not place, runs the package's own
`__init__.py` there and then, so the package is then exactly the one pulumi-aws makes. What
is loaded is pulumi-aws's own code, unchanged: only when.

The AWS target installs it when it is loaded (generators.aws), in every run: offline, `pulumi
preview` and `pulumi up`; a process that loaded pulumi-aws before keeps it as it is.
`HLD_EAGER_PULUMI_AWS=1` turns it off.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import threading
import types
from pathlib import Path
from typing import Any

EAGER = "HLD_EAGER_PULUMI_AWS"
_LOCK = threading.RLock()
_WORD = re.compile(r"(?<!^)(?=[A-Z])")


def install() -> None:
    """Each service package of pulumi-aws becomes a lean one, when pulumi-aws is not loaded yet
    (not with HLD_EAGER_PULUMI_AWS=1)."""
    if os.environ.get(EAGER) == "1" or "pulumi_aws" in sys.modules:
        return
    spec = importlib.util.find_spec("pulumi_aws")
    if spec is None or not spec.submodule_search_locations:
        return
    root = Path(next(iter(spec.submodule_search_locations)))
    with _LOCK:
        for init in sorted(root.glob("*/__init__.py")):
            name = f"pulumi_aws.{init.parent.name}"
            if name not in sys.modules:
                sys.modules[name] = _lean(name, init.parent)


class LeanPackage(types.ModuleType):
    """A pulumi-aws service package whose modules load as their names are used."""

    _folder: Path
    _full: bool

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name != "__all__":
            raise AttributeError(name)
        if not self.__dict__.get("_full") and name != "__all__":
            folder = self.__dict__["_folder"]
            for module in _candidates(name):
                if (folder / f"{module}.py").is_file() or (folder / module / "__init__.py").is_file():
                    loaded = importlib.import_module(f"{self.__name__}.{module}")
                    if name in vars(loaded):  # `get_vpc` is the function of get_vpc.py, as a star import makes it
                        value = vars(loaded)[name]
                        setattr(self, name, value)
                        return value
                    if module == name:  # a submodule (`from . import outputs`)
                        return loaded
        with _LOCK:
            self._run_init()
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        # the import system binds each submodule it loads to its package; the package's own
        # `__init__.py` then star-imports it, so a function module's name is its function
        # (`get_vpc`): the same here
        if isinstance(value, types.ModuleType) and value.__name__ == f"{self.__name__}.{name}":
            value = vars(value).get(name, value)
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        with _LOCK:
            self._run_init()
        return sorted(self.__dict__)

    def _run_init(self) -> None:
        """The package's own `__init__.py`, run in this module: it is then the package pulumi-aws makes."""
        if self.__dict__.get("_full"):
            return
        self.__dict__["_full"] = True
        init = self._folder / "__init__.py"
        exec(compile(init.read_bytes(), str(init), "exec"), self.__dict__)


def _lean(name: str, folder: Path) -> LeanPackage:
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    module = LeanPackage(name)
    module.__spec__ = spec
    module.__file__ = str(folder / "__init__.py")
    module.__path__ = [str(folder)]
    module.__package__ = name
    module.__loader__ = spec.loader if spec else None
    module.__dict__["_folder"] = folder
    module.__dict__["_full"] = False
    return module


def _candidates(name: str) -> list[str]:
    """The modules pulumi-aws's generated code keeps `name` in: a submodule of that name; a
    resource and its Args in its snake_case module, a function and its result and output forms
    in the function's; input types and enums in `_inputs` and `_enums`."""
    found = [name]
    base = name
    for suffix in ("Args", "_output"):
        if base.endswith(suffix) and base != suffix:
            base = base[: -len(suffix)]
            break
    if base.startswith("Awaitable"):
        base = base[len("Awaitable") :]
    if base.startswith("Get") and base.endswith("Result"):
        base = base[: -len("Result")]
    snake = _WORD.sub("_", base).lower() if not base.islower() else base
    if snake and not snake.startswith("_") and snake != name:
        found.append(snake)
    return [*found, "_inputs", "_enums"]
