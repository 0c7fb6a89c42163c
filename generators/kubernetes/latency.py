"""The kind target's optional latency profile (`hld render --latency`; off by default): the plan's
inter-zone latency injected between the zone nodes with `tc netem`, so a team can feel the design's
cross-zone hops on a laptop.

What it adds: `latency.yaml`, apart from what `kubectl apply -k .` applies (a render without the
profile is byte for byte what it was), holding its own Namespace, labelled with the Pod Security level
`privileged` for PRIVILEGED_REASON (the one place the render admits more than `restricted`), and one
DaemonSet on the zone workers. Each of its pods, from the node's own network namespace:

- finds the other zones' nodes by the names kind gives them (rehearsal.node_names, passed in
  ZONE_NODES) through Docker's embedded DNS, which kind's entrypoint points every node's resolv.conf at
  (`enable_network_magic`), and each such node's pod CIDR in the node's routing table (kindnet routes
  every other node's pod CIDR via that node's IP: kindnetd's `syncRoute`), so no Kubernetes API call,
  no token and no RBAC;
- on eth0 (a kind node's one interface on the docker network) sets a `prio` root with a fourth band
  that no TOS value maps to, a `netem` delay on that band, and one u32 filter per other zone's node IP
  (/32) and pod CIDR steering those packets into it: the control plane (the ingress, in no zone), the
  node's own zone and everything else keep their path;
- re-reads the targets every RECHECK_SECONDS (a restarted node may come back with another IP) and
  removes the qdisc on SIGTERM, with a preStop hook doing the same, so deleting the DaemonSet or its
  Namespace leaves the nodes as they were.

The delay is `cross_zone_delay()`: HOPS["cross-zone"] of blueprints.latency, the figure the planner
composes every journey's cross-zone hops from. IPv4 only (kind's default cluster)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from blueprints import latency as figures
from blueprints.plan_model import Plan
from blueprints.problems import printable
from generators.kubernetes import images
from generators.kubernetes.common import PULL_POLICY, ZONE_KEY, KindOptions, labels

FILE = "latency.yaml"
"""The profile's manifest, applied on its own (`kubectl apply -f latency.yaml`)."""
NAME = "zone-latency"
"""The DaemonSet (and its container)."""
COMPONENT = "latency"
DEVICE = "eth0"
"""A kind node's interface on the docker network: what carries every packet to another node."""
RECHECK_SECONDS = 30
BAND = 4
"""The prio band the filters steer into: a fourth band, past the three the default priomap fills, so
no packet reaches the delay by its TOS alone (tc-prio(8): the priomap maps TOS values to bands 0-2)."""
PRIOMAP = "1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1"
"""tc-prio's default priomap, stated: bands 0-2 only."""
Z99 = NormalDist().inv_cdf(0.99)
"""The standard normal's 99th percentile (2.326)."""
REQUESTS = {"cpu": "10m", "memory": "16Mi"}
LIMITS = {"cpu": "100m", "memory": "64Mi"}
"""A shell loop, `dig`, `ip` and `tc` every RECHECK_SECONDS."""
LEVEL = {
    "pod-security.kubernetes.io/enforce": "privileged",
    "pod-security.kubernetes.io/enforce-version": "v1.33",
}
PRIVILEGED_REASON = (
    "tc netem on each zone node's own interface needs the node's network namespace (hostNetwork) and "
    "CAP_NET_ADMIN in it, which Pod Security's baseline and restricted levels refuse; only the zone-latency "
    "DaemonSet runs here (hld's pod-security check admits it by name and namespace, and nothing else)"
)
"""Why the profile's Namespace is `privileged` (its `kubernetes.io/description`)."""


@dataclass(frozen=True)
class Delay:
    """netem's arguments on every zone node, and the round trip they reproduce.

    The hop's figures are round trips (a call to another zone and its answer: cloudping-style connect
    times, 0.25-3.37 ms measured between zones). netem delays what a node sends, and both ends apply it,
    so each direction gets half the median: `delay_us`. The tail: each direction's delay is drawn from
    netem's normal table with standard deviation `jitter_us`, chosen so that the round trip (the sum of
    two independent normals: mean p50, deviation jitter x sqrt 2) has the hop's p99 as its 99th
    percentile: jitter = (p99 - p50) / (z99 x sqrt 2), z99 = 2.326. netem sends a negative draw at once
    (no delay), which lifts the round trip's median a little above p50 when the jitter exceeds the
    one-way delay (for 1 / 3.4 ms: about 1.1 ms; the p99 stays 3.4 ms)."""

    delay_us: int
    jitter_us: int
    p50_ms: float
    p99_ms: float
    source: str


def cross_zone_delay() -> Delay:
    """The delay for HOPS["cross-zone"] (read when called, so the figure in force is the one used)."""
    hop = figures.HOPS["cross-zone"]
    sigma_ms = max(hop.p99 - hop.p50, 0.0) / (Z99 * math.sqrt(2))
    return Delay(round(hop.p50 / 2 * 1000), round(sigma_ms * 1000), hop.p50, hop.p99, hop.source)


def namespace(plan: Plan) -> str:
    """`{system}-latency`: the profile's Namespace (a system name is at most 40 characters)."""
    return f"{plan.name}-{COMPONENT}"


def zone_nodes(plan: Plan, kind: KindOptions) -> list[tuple[str, str]]:
    """(node, zone) of every zone worker, as kind names them."""
    from generators.kubernetes.rehearsal import zone_nodes as nodes

    return nodes(plan, kind)


SCRIPT = """\
set -u
log() { echo "zone-latency on ${NODE_NAME}: $*" >&2; }
own=""
for pair in ${ZONE_NODES}; do
  if [ "${pair%%=*}" = "${NODE_NAME}" ]; then own="${pair#*=}"; fi
done
if [ -z "${own}" ]; then
  log "not one of the render's zone nodes (${ZONE_NODES}): nothing to delay"
  exit 1
fi
# netem's normal table: where this image's iproute2 put it (Alpine's has differed from tc's default)
for dir in /usr/lib/tc /lib/tc /usr/lib64/tc /usr/share/tc; do
  if [ -f "${dir}/normal.dist" ]; then export TC_LIB_DIR="${dir}"; break; fi
done
if [ "${JITTER_US}" -gt 0 ] && [ -z "${TC_LIB_DIR:-}" ]; then
  log "no normal.dist for netem's jitter in this image; set JITTER_US=0 for a fixed delay"
  exit 1
fi
# each other zone's node IP and the pod CIDRs routed via it (kindnet), one line per node
peer_targets() {
  for pair in ${ZONE_NODES}; do
    node="${pair%%=*}"; zone="${pair#*=}"
    if [ "${zone}" = "${own}" ]; then continue; fi
    ip="$(dig +short +time=2 +tries=2 A "${node}" | grep -E '^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$' | head -n 1)"
    if [ -z "${ip}" ]; then log "${node} (${zone}) does not resolve yet"; return 1; fi
    cidrs="$(ip -4 route show via "${ip}" | awk '{print $1}')"
    if [ -z "${cidrs}" ]; then log "no route to the pods of ${node} (${zone}) yet"; return 1; fi
    echo "${ip}/32 ${cidrs}"
  done
}
remove_delay() { tc qdisc del dev "${DEV}" root 2>/dev/null || true; }
add_delay() {
  remove_delay
  tc qdisc add dev "${DEV}" root handle 1: prio bands ${BAND} priomap ${PRIOMAP} || return 1
  if [ "${JITTER_US}" -gt 0 ]; then
    tc qdisc add dev "${DEV}" parent 1:${BAND} handle 40: netem delay "${DELAY_US}us" "${JITTER_US}us" distribution normal || return 1
  else
    tc qdisc add dev "${DEV}" parent 1:${BAND} handle 40: netem delay "${DELAY_US}us" || return 1
  fi
  for dst in $1; do
    tc filter add dev "${DEV}" parent 1: protocol ip prio 1 u32 match ip dst "${dst}" flowid 1:${BAND} || return 1
  done
}
trap 'remove_delay; log "delay removed"; exit 0' TERM INT
applied=""
while true; do
  if wanted="$(peer_targets)"; then
    wanted="$(echo ${wanted})"
    if [ -n "${wanted}" ] && [ "${wanted}" != "${applied}" ]; then
      if add_delay "${wanted}"; then
        applied="${wanted}"
        log "zone ${own}: ${DELAY_US}us each way, jitter ${JITTER_US}us (normal), towards ${wanted}"
      else
        remove_delay
        log "tc refused the delay: the host kernel needs sch_prio, sch_netem and cls_u32 (Linux: modprobe sch_netem)"
        exit 1
      fi
    fi
  fi
  sleep "${RECHECK_SECONDS}" &
  wait $!
done
"""
"""The container's program (bash, in the image's Alpine userland: dig from bind-tools, ip and tc from
iproute2). `$(...)` here is the shell's: the kubelet expands only `$(NAME)` of a defined variable."""

READY = "tc qdisc show dev \"${DEV}\" | grep -q 'qdisc netem 40:'"
"""Ready once the delay is in place: `kubectl rollout status` then means the zones are apart."""
REMOVE = 'tc qdisc del dev "${DEV}" root 2>/dev/null || true'


def daemonset(plan: Plan, kind: KindOptions) -> dict[str, Any]:
    delay = cross_zone_delay()
    nodes = zone_nodes(plan, kind)
    env = {
        "ZONE_NODES": " ".join(f"{node}={zone}" for node, zone in nodes),
        "DELAY_US": str(delay.delay_us),
        "JITTER_US": str(delay.jitter_us),
        "DEV": DEVICE,
        "BAND": str(BAND),
        "PRIOMAP": PRIOMAP,
        "RECHECK_SECONDS": str(RECHECK_SECONDS),
    }
    pod_labels = labels(plan, NAME, COMPONENT)
    container = {
        "name": NAME,
        "image": images.ref("agnhost"),
        "imagePullPolicy": PULL_POLICY,
        "command": ["/bin/bash", "-c", SCRIPT],
        "env": [
            {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
            *({"name": k, "value": v} for k, v in env.items()),
        ],
        "resources": {"requests": dict(REQUESTS), "limits": dict(LIMITS)},
        "readinessProbe": {"exec": {"command": ["/bin/sh", "-c", READY]}, "periodSeconds": 5},
        "lifecycle": {"preStop": {"exec": {"command": ["/bin/sh", "-c", REMOVE]}}},
        "securityContext": {
            "runAsUser": 0,
            "runAsNonRoot": False,
            "allowPrivilegeEscalation": False,
            "privileged": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": ZONE_KEY, "operator": "In", "values": [z for _, z in nodes]}]}
                ]
            }
        }
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": NAME, "namespace": namespace(plan), "labels": pod_labels},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": NAME}},
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {
                    "hostNetwork": True,
                    "dnsPolicy": "Default",
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "terminationGracePeriodSeconds": 10,
                    "affinity": affinity,
                    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [container],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "1Mi"}}],
                },
            },
        },
    }


def objects(plan: Plan, kind: KindOptions) -> list[dict[str, Any]]:
    """The profile's objects, in `latency.yaml`'s order: its Namespace, then the DaemonSet."""
    ns = namespace(plan)
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": ns,
                "labels": labels(plan, ns, "namespace") | LEVEL,
                "annotations": {"kubernetes.io/description": PRIVILEGED_REASON},
            },
        },
        daemonset(plan, kind),
    ]


def guide_lines(plan: Plan, kind: KindOptions) -> list[str]:
    """The README's "Feel the latency": apply, measure, remove (nothing when the profile is off)."""
    from generators.kubernetes.cluster import kind_cluster
    from generators.kubernetes.guide import command
    from generators.kubernetes.rehearsal import node_names

    if not kind.latency:
        return []
    delay = cross_zone_delay()
    ns, lat = plan.name, namespace(plan)
    nodes = zone_nodes(plan, kind)
    control = node_names(kind_cluster(plan, kind))[0]
    (here, here_zone), (there, there_zone) = nodes[0], nodes[1 % len(nodes)]
    probe = (
        f'for peer in {there} {control}; do ip=$(dig +short "$peer" | head -n 1); '
        'for i in $(seq 100); do curl -sk -o /dev/null -w "%{time_connect}\\n" "https://$ip:10250/healthz"; done '
        '| sort -n | awk -v peer="$peer" "{t[NR]=\\$1*1000} END '
        '{printf \\"%s: p50 %.2f ms, p99 %.2f ms\\n\\", peer, t[int(NR/2)], t[int(NR*0.99)]}"; done'
    )
    pod = f"$(kubectl -n {lat} get pods --field-selector spec.nodeName={here} -o name)"
    fixed = command("kubectl", "-n", lat, "set", "env", f"daemonset/{NAME}", "JITTER_US=0")
    return [
        "",
        "## Feel the latency",
        "",
        f"Rendered with `--latency`: `{FILE}` delays every packet between the zone nodes by the plan's "
        f"cross-zone hop, {delay.p50_ms:g} ms median and {delay.p99_ms:g} ms p99 per round trip "
        f"(blueprints.latency HOPS['cross-zone']: {printable(delay.source)}). netem delays what a node sends "
        f"and both ends apply it, so each direction gets half the median, {delay.delay_us} us, with a normal "
        f"jitter of {delay.jitter_us} us chosen so the round trip's 99th percentile is the hop's p99 "
        "((p99 - p50) / (2.326 x sqrt 2)); netem sends a negative draw at once, which lifts the median a little. "
        "Only traffic to another zone's node and to its pods (each node's pod CIDR) is delayed: the control "
        "plane (where the ingress runs), a node's own zone and the internet are not. The jitter reorders the "
        "packets of a flow sent closer together than it, as netem does, so a bulk transfer between zones reads "
        f"slower than on AWS; for a fixed delay: `{fixed}`.",
        "",
        f"The DaemonSet runs in its own Namespace `{lat}`, labelled with the Pod Security level `privileged` "
        "(hostNetwork and CAP_NET_ADMIN as root, nothing more: no privileged container, no API token); the "
        f"system's Namespace `{ns}` stays `restricted`. Linux hosts need the kernel's sch_netem module "
        "(Ubuntu: `linux-modules-extra-$(uname -r)`); Docker Desktop's kernel has it. Its image is preloaded "
        f"with the others (`preload-images.sh`); it requests {REQUESTS['cpu']} CPU and {REQUESTS['memory']} "
        "on each zone node.",
        "",
        "```sh",
        "# after step 4: the delay between the zone nodes (Ready once it is in place on the node)",
        command("kubectl", "apply", "-f", FILE),
        command("kubectl", "-n", lat, "rollout", "status", f"daemonset/{NAME}", "--timeout=120s"),
        command("kubectl", "-n", lat, "logs", "-l", f"app.kubernetes.io/name={NAME}", "--prefix"),
        f"# measure: from {here_zone}'s node, 100 TCP connects (one round trip each) to {there_zone}'s node, "
        "then to the control plane's (not delayed), at each kubelet's port",
        f'kubectl -n {lat} exec "{pod}" -- bash -c {_single_quoted(probe)}',
        "# remove: the pods take the delay off as they stop (preStop, and on SIGTERM)",
        command("kubectl", "delete", "-f", FILE),
        "# by hand, should a node keep it (a pod killed without its grace period):",
        *(command("docker", "exec", node, "tc", "qdisc", "del", "dev", DEVICE, "root") for node, _ in nodes),
        "```",
    ]


def _single_quoted(text: str) -> str:
    """`text` as one shell word in single quotes."""
    return "'" + text.replace("'", "'\"'\"'") + "'"
