"""The Pulumi program: read the stack's config, plan the blueprint, build the target.

`pulumi preview` / `pulumi up` run this through stacks/__main__.py, and so do
`hld synth` and the tests, under Pulumi's mock runtime. Config keys (namespace hld):

    hld:blueprint     path of the blueprint, relative to the project (required)
    hld:target        aws (default) | kubernetes
    hld:environment   production (default) | development
    hld:domain        public name for this stack, overriding the blueprint's edge.domain (applied
                      before validation); required to deploy TLS with something public, unless the
                      blueprint names it. Offline runs (hld synth/verify) use a placeholder under the
                      reserved .invalid TLD instead, shown as such.
    hld:hostedZoneId  Route 53 zone holding the domain (default: looked up by name)
    hld:kubeContext   kubeconfig context for hld:target kubernetes (default: kind-<blueprint name>)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGETS = ("aws", "kubernetes")


class ConfigError(Exception):
    """The stack's config or its blueprint is wrong; the message says how to fix it."""


@dataclass(frozen=True)
class StackConfig:
    blueprint: Path
    target: str = "aws"
    environment: str = "production"
    domain: str | None = None
    hosted_zone_id: str | None = None
    offline: bool = False
    """Run by hld's offline runtime (hld:offline), not by the Pulumi CLI against a cloud."""


PLACEHOLDER_TLD = "invalid"
"""RFC 2606's reserved TLD: a name that resolves nowhere, for offline runs without a domain."""


def placeholder_domain(system: str, stack: str) -> str:
    return f"{stack}.{system}.hld.{PLACEHOLDER_TLD}"


def is_placeholder(domain: str | None) -> bool:
    return bool(domain) and str(domain).endswith(f".{PLACEHOLDER_TLD}")


def read_config(get: Any, stack: str) -> StackConfig:
    """`get(key)` returns the hld:<key> value or None (pulumi.Config('hld').get)."""
    raw = get("blueprint")
    if not raw:
        raise ConfigError(
            f"stack {stack!r} has no hld:blueprint; set it with "
            "`pulumi config set hld:blueprint blueprints/<system>.yaml` (the blueprint's path in the project)"
        )
    from hld.project import current

    path = current().resolve(raw)
    target = get("target") or "aws"
    if target not in TARGETS:
        raise ConfigError(f"hld:target is {target!r}; use one of: {', '.join(TARGETS)}")
    environment = get("environment") or "production"
    if environment not in ("production", "development"):
        raise ConfigError(f"hld:environment is {environment!r}; use production or development")
    return StackConfig(
        blueprint=path,
        target=target,
        environment=environment,
        domain=get("domain"),
        hosted_zone_id=get("hostedZoneId"),
        offline=(get("offline") or "") == "true",
    )


def plan_for(config: StackConfig, stack: str) -> Any:
    """The plan the stack deploys: the stack's domain applied to the blueprint before it is
    validated. TLS with something public needs a domain: an offline run uses a placeholder under
    .invalid; a real one stops here, before creating anything."""
    from blueprints import BlueprintError, StackSettings, load, plan

    def planned(domain: str | None) -> Any:
        try:
            blueprint = load(config.blueprint, {("edge", "domain"): domain} if domain else None)
        except BlueprintError as exc:
            raise ConfigError(f"the blueprint of stack {stack!r} is not valid:\n{exc}") from None
        return plan(blueprint, StackSettings(name=stack, environment=config.environment))

    result = planned(config.domain)
    if result.edge.needs_domain and config.target == "aws":
        if not config.offline:
            raise ConfigError(
                f"stack {stack!r} deploys TLS for {result.name}'s public endpoints, and a certificate needs a "
                "domain: set it with `pulumi config set hld:domain api.example.com` (or edge.domain in the "
                "blueprint); nothing was created"
            )
        result = planned(placeholder_domain(result.name, stack))
    return result


def main() -> dict[str, Any]:
    """Entry point of the Pulumi program; exports the target's outputs."""
    import pulumi

    stack = pulumi.get_stack()
    try:
        config = read_config(pulumi.Config("hld").get, stack)
        result = plan_for(config, stack)
    except ConfigError as exc:
        raise pulumi.RunError(str(exc)) from None
    for unmet in result.unmet:
        pulumi.log.warn(f"plan does not meet {unmet.what}: {unmet.why}")
    if config.target == "aws":
        from generators.aws import AwsSettings, build

        outputs = build(result, AwsSettings(hosted_zone_id=config.hosted_zone_id))
    else:
        from generators.kubernetes.program import build as build_kubernetes

        outputs = build_kubernetes(result, pulumi.Config("hld").get("kubeContext"))
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs
