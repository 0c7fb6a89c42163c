"""moto made cheaper where no check can tell the difference, for the duration of a run (see quickened)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any


class _Module:
    """A module seen through a few replaced attributes (the rest are the module's own)."""

    def __init__(self, module: Any, **replaced: Any) -> None:
        self._module = module
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


@functools.cache
def _rsa_key(public_exponent: int, key_size: int, backend: Any = None) -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=public_exponent, key_size=key_size)


@functools.cache
def _pem_key(data: bytes, password: bytes | None = None, backend: Any = None) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(data, password=password)


@functools.cache
def _method_names(cls: type) -> frozenset[str]:
    import inspect

    return frozenset(name for name, _ in inspect.getmembers(cls, predicate=inspect.isfunction))


_URLS: dict[type, Any] = {}
_LOADER: list[Any] = []


def _one_loader(original: Any) -> Any:
    def create_loader() -> Any:
        """moto's botocore loader, made once (moto makes a new one for each service model it
        loads, and each new loader lists every service's data folder again)."""
        if not _LOADER:
            _LOADER.append(original())
        return _LOADER[0]

    return create_loader


def _cached_urls(original: Any) -> Any:
    def urls(self: Any) -> Any:
        """A backend's URL table, built once per backend class (moto rebuilds it, and S3 reloads its
        urls module from disk, on every request)."""
        key = type(self)
        if key not in _URLS:
            _URLS[key] = original(self)
        return _URLS[key]

    return property(urls)


@contextlib.contextmanager
def quickened() -> Iterator[None]:
    """moto made cheaper for the block, then moto exactly as it was: four costs moto pays on every
    request, resource or service that no check can tell apart, removed from moto's own modules only (nothing
    else in the process sees a change) and only while an offline run (or a call onto its state) is
    under way; on exit every replaced attribute is moto's own again, so a user's own moto test in
    the same process gets fresh RSA keys, method lists, URL tables and loaders as moto makes them:

    - every KMS key and every ACM certificate gets a fresh 2,048-bit RSA key (about 40 ms
      each, even for symmetric KMS keys), and each certificate's PEM key is parsed and checked
      again (about 35 ms): within hld's runs the key material is generated once and reused;
    - every request lists the response class's methods with `inspect.getmembers` (about 0.7 ms):
      the list is computed once per class;
    - every request rebuilds the service's URL table (and S3's reloads its module from disk): the
      table is built once per backend class (it depends only on the class and moto's settings,
      which the seal fixes: hld.offline.seal);
    - every service model moto loads (once per service and process) comes from a new botocore
      loader, which lists every service's data folder again (about 30 ms): one loader serves
      them all (its search paths are moto's and botocore's, the same for every loader).

    Key material never reaches a resource's state or a check; ids, ARNs and every API's
    validation stay moto's own."""
    import cryptography
    import moto.acm.models as acm
    import moto.core.responses as responses
    import moto.core.utils as utils
    import moto.kms.utils as kms
    from cryptography.hazmat.primitives import asymmetric, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from moto.core.base_backend import BaseBackend

    fast_rsa = _Module(rsa, generate_private_key=_rsa_key)
    primitives = _Module(cryptography.hazmat.primitives, asymmetric=_Module(asymmetric, rsa=fast_rsa))
    replaced: list[tuple[Any, str, Any]] = [
        (kms, "rsa", fast_rsa),
        (acm, "cryptography", _Module(cryptography, hazmat=_Module(cryptography.hazmat, primitives=primitives))),
        (acm, "serialization", _Module(serialization, load_pem_private_key=_pem_key)),
        (responses, "method_names_from_class", _method_names),
        (BaseBackend, "urls", _cached_urls(BaseBackend.__dict__["urls"].fget)),
        (utils, "create_loader", _one_loader(utils.__dict__["create_loader"])),
    ]
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in replaced]
    try:
        for owner, name, value in replaced:
            setattr(owner, name, value)
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
