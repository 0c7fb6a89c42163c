"""Every image the kind render references, in one table: the stand-ins, the bootstrap Jobs, kind's
node image, and the images the pinned add-on manifests (cluster.INGRESS_NGINX, cluster.METRICS_SERVER)
pull. Each row says where the image is published, its multi-arch index digest, when it was checked,
the source that states the digest, and the registry's anonymous pull limit.

`ref(key)` is `registry/repository:tag@sha256:...`: what the objects, the kind configuration, the
render's README and `preload-images.sh` say. A row whose digest no public source stated when it was
checked keeps `digest=None`; `ref()` then gives the tag form, and `UNVERIFIED` names those rows
(`valkey`, `dynamodb-local`, `elasticmq`, `minio`, `mc`, `metrics-server`): their tags are pinned,
their contents are not, until a digest is read from the registry (`docker buildx imagetools inspect
REF`, the `Digest:` line) and recorded here with its source.

MinIO's community images moved off Docker Hub (`minio/minio` and `minio/mc` were removed there in
September 2026); the same tags are on quay.io (`quay.io/minio/minio`, `quay.io/minio/mc`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CHECKED = "2026-12-01"
"""When the table was last checked against its sources."""

DOCKER_HUB_LIMIT = (
    "10 pulls per hour per IPv4 address or IPv6 /64 subnet without a login, since April 2025 "
    "(https://docs.docker.com/docker-hub/usage/, https://github.com/docker/docs/pull/22134)"
)
QUAY_LIMIT = (
    "no anonymous pull limit stated in quay.io's documentation when the table was checked (https://docs.quay.io/)"
)
K8S_REGISTRY_LIMIT = (
    "no anonymous pull limit stated in registry.k8s.io's documentation when the table was checked "
    "(https://github.com/kubernetes/registry.k8s.io)"
)
ECR_PUBLIC_LIMIT = (
    "500 GB of data per month for unauthenticated pulls "
    "(https://docs.aws.amazon.com/AmazonECR/latest/public/public-service-quotas.html)"
)
LIMITS = {
    "docker.io": DOCKER_HUB_LIMIT,
    "quay.io": QUAY_LIMIT,
    "registry.k8s.io": K8S_REGISTRY_LIMIT,
    "public.ecr.aws": ECR_PUBLIC_LIMIT,
}
"""Each registry's anonymous pull limit, as its documentation states it."""


@dataclass(frozen=True)
class Image:
    """One image hld references."""

    registry: str
    repository: str
    tag: str
    digest: str | None  # sha256 of the multi-arch index (manifest list); None: no source stated one
    checked: str  # the date the row was checked against its source
    source: str  # a URL that states the image is published there (with that digest, when there is one)
    role: str  # what uses it
    addon: bool = False  # pulled by an add-on manifest, not written by hld

    @property
    def name(self) -> str:
        """`registry/repository`."""
        return f"{self.registry}/{self.repository}"

    @property
    def limit(self) -> str:
        return LIMITS[self.registry]

    def ref(self) -> str:
        base = f"{self.name}:{self.tag}"
        return f"{base}@sha256:{self.digest}" if self.digest else base


TABLE: dict[str, Image] = {
    "postgres": Image(
        "docker.io",
        "library/postgres",
        "16.4-alpine",
        "5660c2cbfea50c7a9127d17dc4e48543eedd3d7a41a595a2dfa572471e37e64c",
        CHECKED,
        "https://github.com/maxmood96/repo-info/blob/060925cfceb7edf13f8321c99be426f3c441a354/repos/postgres/remote/16.4-alpine.md",
        "the relational stand-in and its users' bootstrap Job (psql)",
    ),
    "valkey": Image(
        "docker.io",
        "valkey/valkey",
        "8.0-alpine",
        None,
        CHECKED,
        "https://hub.docker.com/r/valkey/valkey/tags?name=8.0-alpine",
        "the cache stand-in",
    ),
    "dynamodb-local": Image(
        "docker.io",
        "amazon/dynamodb-local",
        "2.5.4",
        None,
        CHECKED,
        "https://hub.docker.com/r/amazon/dynamodb-local/tags?name=2.5.4",
        "the key-value stand-in",
    ),
    "elasticmq": Image(
        "docker.io",
        "softwaremill/elasticmq-native",
        "1.6.11",
        None,
        CHECKED,
        "https://hub.docker.com/r/softwaremill/elasticmq-native/tags?name=1.6.11",
        "the queue stand-in",
    ),
    "minio": Image(
        "quay.io",
        "minio/minio",
        "RELEASE.2024-11-07T00-52-20Z",
        None,
        CHECKED,
        "https://quay.io/repository/minio/minio?tab=tags",
        "the object stand-in",
    ),
    "mc": Image(
        "quay.io",
        "minio/mc",
        "RELEASE.2024-11-21T17-21-54Z",
        None,
        CHECKED,
        "https://quay.io/repository/minio/mc?tab=tags",
        "the buckets' bootstrap Job",
    ),
    "aws-cli": Image(
        "docker.io",
        "amazon/aws-cli",
        "2.27.41",
        "bc6b7bba44ce38f9604ede49c584824af919047ea03fbcc7c7610671fdef95d8",
        CHECKED,
        "https://github.com/rajsinghtech/garage-operator/blob/96ce196674a297dbdfb0f75e9f43f1144b6d694b/hack/e2e-cluster.sh",
        "the tables' bootstrap Job",
    ),
    "kind-node": Image(
        "docker.io",
        "kindest/node",
        "v1.33.1",
        "050072256b9a903bd914c0b2866828150cb229cea0efe5892e2b644d5dd3b34f",
        CHECKED,
        "https://github.com/kubernetes-sigs/kind/releases/tag/v0.29.0",
        "kind's nodes (kind v0.29.0)",
    ),
    "ingress-nginx-controller": Image(
        "registry.k8s.io",
        "ingress-nginx/controller",
        "v1.13.0",
        "dc75a7baec7a3b827a5d7ab0acd10ab507904c7dad692365b3e3b596eca1afd2",
        CHECKED,
        "https://github.com/kubernetes/ingress-nginx/blob/controller-v1.13.0/deploy/static/provider/kind/deploy.yaml",
        "the ingress controller (add-on)",
        addon=True,
    ),
    "ingress-nginx-certgen": Image(
        "registry.k8s.io",
        "ingress-nginx/kube-webhook-certgen",
        "v1.6.0",
        "c9f76a75fd00e975416ea1b73300efd413116de0de8570346ed90766c5b5cefb",
        CHECKED,
        "https://github.com/kubernetes/ingress-nginx/blob/controller-v1.13.0/deploy/static/provider/kind/deploy.yaml",
        "the ingress controller's admission webhook Jobs (add-on)",
        addon=True,
    ),
    "agnhost": Image(
        "registry.k8s.io",
        "e2e-test-images/agnhost",
        "2.56",
        "352a050380078cb2a1c246357a0dfa2fcf243ee416b92ff28b44a01d1b4b0294",
        CHECKED,
        "https://github.com/kubernetes-sigs/kueue/blob/064520089ed2550b8be1f6de9394082759120827/hack/agnhost/Dockerfile",
        "the latency profile's DaemonSet (`--latency`): Kubernetes' e2e test image, Alpine with iproute2 "
        "(tc), bind-tools (dig), curl and bash (kubernetes/kubernetes test/images/agnhost/Dockerfile)",
    ),
    "metrics-server": Image(
        "registry.k8s.io",
        "metrics-server/metrics-server",
        "v0.8.0",
        None,
        CHECKED,
        "https://github.com/kubernetes-sigs/metrics-server/releases/tag/v0.8.0",
        "metrics-server (add-on; its components.yaml pulls the tag)",
        addon=True,
    ),
}
"""Every image of the render, by key."""

UNVERIFIED: tuple[str, ...] = tuple(key for key, image in TABLE.items() if image.digest is None)
"""The rows no public source gave a digest for when they were checked: referenced by tag."""


def ref(key: str) -> str:
    """`registry/repository:tag@sha256:...` of a row (the tag form when its digest is unverified)."""
    return TABLE[key].ref()


def by_ref(image: str) -> Image | None:
    """The row whose `ref()` is `image`, if any."""
    return next((i for i in TABLE.values() if i.ref() == image), None)


def row_of_name(image: str) -> Image | None:
    """The row of the same registry/repository and tag as `image` (any digest, or none)."""
    base = image.split("@", 1)[0]
    return next((i for i in TABLE.values() if f"{i.name}:{i.tag}" == base), None)


def rendered(objs: list[dict[str, Any]], service_images: set[str]) -> list[str]:
    """The table's refs a render needs in the cluster, in the table's order: every container and
    init container image of `objs` (but the blueprint's own, `service_images`), then the add-ons'."""
    used = {
        c["image"]
        for o in objs
        if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job")
        for c in [
            *o["spec"]["template"]["spec"].get("initContainers", []),
            *o["spec"]["template"]["spec"]["containers"],
        ]
        if c["image"] not in service_images
    }
    return [i.ref() for i in TABLE.values() if i.ref() in used or i.addon]


def preload_commands(images: list[str], cluster: str) -> list[str]:
    """`docker pull` then `kind load docker-image` for each image (kind's node image only pulled:
    `kind create cluster` starts it, nothing loads it)."""
    from generators.kubernetes.guide import command

    out = [command("docker", "pull", ref("kind-node"))]
    for image in images:
        out += [command("docker", "pull", image), command("kind", "load", "docker-image", image, "--name", cluster)]
    return out


def preload_notes(images: list[str]) -> list[str]:
    """The pull limits of the registries `images` come from, and which of them are not pinned by digest."""
    rows = [r for r in (by_ref(i) for i in [ref("kind-node"), *images]) if r is not None]
    out = [f"- {registry}: {LIMITS[registry]}." for registry in dict.fromkeys(r.registry for r in rows)]
    loose = [r.ref() for r in rows if r.digest is None]
    if loose:
        out.append(
            "- Not pinned by digest (no public source stated one when the table was checked, "
            f"{CHECKED}; the tag is pinned, its contents may change): " + ", ".join(f"`{x}`" for x in loose) + "."
        )
    return out


def preload_script(objs: list[dict[str, Any]], service_images: set[str], cluster: str) -> str:
    """`preload-images.sh`: the render's images pulled once and loaded into the nodes."""
    images = rendered(objs, service_images)
    lines = [
        "#!/usr/bin/env bash",
        f"# Pull every image the render uses (table checked {CHECKED}) and load it into the kind",
        f"# cluster {cluster}: run after `kind create cluster`, before `kubectl apply`.",
        "# Anonymous pull limits:",
        *(f"#   {line[2:]}" for line in preload_notes(images)),
        "set -euo pipefail",
        *preload_commands(images, cluster),
        "",
    ]
    return "\n".join(lines)


def guide_lines(objs: list[dict[str, Any]], service_images: set[str], cluster: str) -> list[str]:
    """The README's "Preload the images" step: comments with the pull limits, then the commands."""
    images = rendered(objs, service_images)
    del cluster  # the script names it
    return [
        f"# 1b. Preload the images (preload-images.sh: `docker pull` each once, then `kind load docker-image`"
        f" into every node, so the pods never pull; table checked {CHECKED}). Anonymous pull limits:",
        *(f"#     {line[2:]}" for line in preload_notes(images)),
        "bash preload-images.sh",
    ]
