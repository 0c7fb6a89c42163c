"""Checks over the Kubernetes target: every object against the OpenAPI schema of the pinned
Kubernetes version (strict: unknown fields fail), then across objects."""

from __future__ import annotations

from typing import Any

from blueprints.capacity import fullest_zone
from blueprints.plan_model import Plan, ServicePlan
from generators.kubernetes.common import PULL_POLICY, RESTRICTED, ZONE_KEY, KindOptions
from generators.kubernetes.profile import LAPTOP_SCALE_OUT, cpu_target, laptop_ceilings


def schema_problems(objs: list[dict[str, Any]], version: str) -> list[str]:
    import kubernetes_validate

    out = []
    for obj in objs:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(p) for p in exc.path)
            out.append(f"{obj['kind']}/{obj['metadata']['name']}: {where}: {exc.message}")
    return out


def _matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _objects(plan: Plan, objs: list[dict[str, Any]], cluster: dict[str, Any], kind: KindOptions) -> list[str]:
    """Selectors match pod labels; Service target ports exist on the containers; PDBs target
    existing workloads; every service spreads over the zones (maxSkew 1, DoNotSchedule); a PDB lets
    a zone's share of pods drain and no more; kind's zones are the planned ones. (Autoscalers:
    `_autoscaling`.)"""
    out: list[str] = []
    workloads = [o for o in objs if o["kind"] in ("Deployment", "StatefulSet")]
    pods = {o["metadata"]["name"]: o["spec"]["template"] for o in workloads}
    zones = len(plan.zones(plan.primary_region))
    for w in workloads:
        name, template = w["metadata"]["name"], w["spec"]["template"]
        pod_labels = template["metadata"]["labels"]
        if not _matches(w["spec"]["selector"]["matchLabels"], pod_labels):
            out.append(f"{w['kind']}/{name}: selector does not match its pod labels")
        spread = template["spec"].get("topologySpreadConstraints", [])
        for c in spread:
            if not _matches(c["labelSelector"]["matchLabels"], pod_labels):
                out.append(f"{w['kind']}/{name}: spread constraint on {c['topologyKey']} selects other pods")
        if any(s.name == name for s in plan.services) and not any(
            c["topologyKey"] == ZONE_KEY and c["maxSkew"] == 1 and c["whenUnsatisfiable"] == "DoNotSchedule"
            for c in spread
        ):
            out.append(f"{w['kind']}/{name}: not spread over the zones (maxSkew 1 on {ZONE_KEY}, DoNotSchedule)")
    for svc in [o for o in objs if o["kind"] == "Service"]:
        name = svc["metadata"]["name"]
        selected = [t for t in pods.values() if _matches(svc["spec"]["selector"], t["metadata"]["labels"])]
        if not selected:
            out.append(f"Service/{name}: selects no pods")
        ports = {p["name"] for t in selected for c in t["spec"]["containers"] for p in c.get("ports", [])}
        for p in svc["spec"]["ports"]:
            if p["targetPort"] not in ports:
                out.append(f"Service/{name}: target port {p['targetPort']!r} is not a container port")
    for pdb in [o for o in objs if o["kind"] == "PodDisruptionBudget"]:
        name = pdb["metadata"]["name"]
        targets = [
            w
            for w in workloads
            if _matches(pdb["spec"]["selector"]["matchLabels"], w["spec"]["template"]["metadata"]["labels"])
        ]
        if not targets:
            out.append(f"PodDisruptionBudget/{name}: selects no workload")
            continue
        if pdb["spec"].get("unhealthyPodEvictionPolicy") != "AlwaysAllow":
            out.append(f"PodDisruptionBudget/{name}: a crash-looping pod blocks drains (unhealthyPodEvictionPolicy)")
        replicas = targets[0]["spec"]["replicas"]
        ceiling = replicas - fullest_zone(replicas, zones)
        if pdb["spec"]["minAvailable"] > max(ceiling, 0) and replicas > 1:
            out.append(
                f"PodDisruptionBudget/{name}: minAvailable {pdb['spec']['minAvailable']} blocks draining a zone "
                f"({replicas} pods over {zones} zones)"
            )
        elif pdb["spec"]["minAvailable"] < ceiling:
            out.append(
                f"PodDisruptionBudget/{name}: minAvailable {pdb['spec']['minAvailable']} lets a drain evict more "
                f"than a zone's share ({replicas} pods over {zones} zones keep {ceiling})"
            )
    kind_zones = {
        n["labels"][ZONE_KEY] for n in cluster["nodes"] if n["role"] == "worker" and ZONE_KEY in n.get("labels", {})
    }
    if kind_zones != set(plan.zones(plan.primary_region)):
        out.append(
            f"kind-cluster.yaml: worker zones {sorted(kind_zones)} are not the planned {plan.zones(plan.primary_region)}"
        )
    return out


def planned_bounds(plan: Plan, svc: ServicePlan, kind: KindOptions) -> tuple[int, int]:
    """(minimum, maximum) replicas of a service on kind, from the plan's primary region: the plan's own
    bounds in the production profile; on a laptop one replica per zone, up to LAPTOP_SCALE_OUT per
    zone, never above the plan's maximum nor above what the machine holds
    (generators.kubernetes.profile.laptop_ceilings; `fits-budget` proves the maximums fit)."""
    cap = next(c for c in svc.capacity.value if c.region == plan.primary_region)
    if kind.profile == "production":
        return cap.min_replicas, cap.max_replicas
    zones = len(plan.zones(plan.primary_region))
    ceiling = min(laptop_ceilings(plan, kind)[svc.name], zones * LAPTOP_SCALE_OUT, cap.max_replicas)
    return zones, max(zones, ceiling)


def _autoscaling(plan: Plan, objs: list[dict[str, Any]], kind: KindOptions) -> list[str]:
    """Each service has one HorizontalPodAutoscaler; it targets the service's Deployment, scales on
    CPU at the plan's target share of the task's CPU (the metric ECS target tracking uses: in the
    production profile a Utilization of the request, which is the task size; on a laptop, whose
    request is smaller, an AverageValue of that share of the task size, profile.cpu_target), between
    the bounds of `planned_bounds`; every autoscaler targets a workload the render makes."""
    out: list[str] = []
    workloads = {(o["kind"], o["metadata"]["name"]) for o in objs if o["kind"] in ("Deployment", "StatefulSet")}
    hpas = [o for o in objs if o["kind"] == "HorizontalPodAutoscaler"]
    for hpa in hpas:
        name, ref = hpa["metadata"]["name"], hpa["spec"]["scaleTargetRef"]
        if (ref.get("kind"), ref.get("name")) not in workloads or ref.get("apiVersion") != "apps/v1":
            out.append(
                f"HorizontalPodAutoscaler/{name}: no {ref.get('apiVersion')} {ref.get('kind')} {ref.get('name')}"
            )
    for svc in plan.services:
        mine = [h for h in hpas if h["spec"]["scaleTargetRef"].get("name") == svc.name]
        if len(mine) != 1:
            out.append(f"{svc.name}: {len(mine)} HorizontalPodAutoscalers target it (one scales a service)")
            continue
        hpa = mine[0]
        name, spec = hpa["metadata"]["name"], hpa["spec"]
        if spec["scaleTargetRef"].get("kind") != "Deployment":
            out.append(
                f"HorizontalPodAutoscaler/{name}: scales a {spec['scaleTargetRef'].get('kind')}, not the Deployment"
            )
        want = [{"type": "Resource", "resource": {"name": "cpu", "target": cpu_target(svc, kind)}}]
        if spec.get("metrics") != want:
            found = ", ".join(_metric(m) for m in spec.get("metrics", [])) or "no metric"
            out.append(
                f"HorizontalPodAutoscaler/{name}: scales on {found}, the plan on {_metric(want[0])} "
                f"({svc.target_cpu} % of the task's CPU, scaling.target_cpu)"
            )
        low, high = planned_bounds(plan, svc, kind)
        found_bounds = (spec.get("minReplicas", 1), spec.get("maxReplicas"))
        if found_bounds != (low, high):
            out.append(
                f"HorizontalPodAutoscaler/{name}: scales {found_bounds[0]}..{found_bounds[1]}, the plan "
                f"({kind.profile} profile) needs {low}..{high}"
            )
    return out


def _metric(m: dict[str, Any]) -> str:
    """An autoscaler's metric, said: `cpu Utilization 60`, `memory AverageValue 500Mi`."""
    source = m.get("resource") or m.get("containerResource") or {}
    target = source.get("target", {})
    value = target.get("averageUtilization", target.get("averageValue", target.get("value", "")))
    return " ".join(str(x) for x in (source.get("name", m.get("type")), target.get("type"), value) if x != "")


def _port_of(container: dict[str, Any], port: Any) -> int | None:
    """The container port a probe's `port` (a number or a port name) reaches, if the container has it."""
    for p in container.get("ports", []):
        if port in (p.get("name"), p.get("containerPort")):
            return int(p["containerPort"])
    return None


PROBES = ("startupProbe", "readinessProbe", "livenessProbe")


def _probes(plan: Plan, objs: list[dict[str, Any]]) -> list[str]:
    """A service's probes judge it as AWS does (its plan's health_check): for an HTTP health path,
    startup, readiness and liveness probes are HTTP GETs of it on the container port (what the load
    balancer's health check asks); for a command, exec probes of that command (what ECS's container
    health check runs); for `none`, no probe at all. Readiness and liveness ask every interval with
    the plan's timeout and unhealthy threshold (readiness comes back after the healthy threshold),
    and the startup probe allows the plan's start time. Every probe of every container (services and
    stand-ins) reaches a port its container declares."""
    out: list[str] = []
    services = {s.name: s for s in plan.services}
    for o, pod in _pods(objs):
        for c in pod["containers"]:
            if o["kind"] == "Deployment" and o["metadata"]["name"] in services and c["name"] == o["metadata"]["name"]:
                continue  # a service's container: its probes are checked against the plan below
            for kind in PROBES:
                probe = c.get(kind)
                if probe is None:
                    continue
                action = probe.get("httpGet") or probe.get("tcpSocket") or probe.get("grpc")
                if action is not None and _port_of(c, action.get("port")) is None:
                    out.append(
                        f"{_name(o)}: container {c['name']}'s {kind} asks port {action.get('port')!r}, not one it declares"
                    )
        svc = services.get(o["metadata"]["name"]) if o["kind"] == "Deployment" else None
        if svc is None:
            continue
        container = next((c for c in pod["containers"] if c["name"] == svc.name), None)
        if container is None:
            out.append(f"{_name(o)}: no container {svc.name}")
            continue
        out += _service_probes(_name(o), container, svc)
    return out


def _service_probes(where: str, container: dict[str, Any], svc: ServicePlan) -> list[str]:
    """What is wrong with a service container's probes against its plan's health check."""
    hc = svc.health_check
    out: list[str] = []
    if hc.kind == "none":
        return [
            f"{where}: has a {kind} but its health is `none` ({hc.reason}): nothing it answers was stated"
            for kind in PROBES
            if container.get(kind)
        ]
    for kind in PROBES:
        probe = container.get(kind)
        if probe is None:
            out.append(f"{where}: no {kind}")
            continue
        if hc.kind == "exec":
            command = (probe.get("exec") or {}).get("command")
            if command != hc.command:
                out.append(f"{where}: {kind} does not run the service's health command {hc.command}")
        else:
            get = probe.get("httpGet")
            if get is None:
                out.append(f"{where}: {kind} is not an HTTP GET of {hc.path}")
                continue
            if get.get("path") != hc.path:
                out.append(f"{where}: {kind} asks {get.get('path')!r}, the service's health path is {hc.path!r}")
            if _port_of(container, get.get("port")) != svc.port:
                out.append(f"{where}: {kind} asks port {get.get('port')!r}, the service listens on {svc.port}")
            if get.get("scheme", "HTTP") != "HTTP":
                out.append(f"{where}: {kind} asks over {get['scheme']}, the service serves HTTP")
        if probe.get("timeoutSeconds", 1) != hc.timeout_seconds:
            out.append(
                f"{where}: {kind} times out after {probe.get('timeoutSeconds', 1)} s, the plan's health check after "
                f"{hc.timeout_seconds} s ({hc.why})"
            )
        if kind == "startupProbe":
            allowed = probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3)
            if allowed < hc.start_seconds:
                out.append(f"{where}: startupProbe allows {allowed} s to start, the plan {hc.start_seconds} s")
            continue
        timing = (probe.get("periodSeconds", 10), probe.get("failureThreshold", 3))
        if timing != (hc.interval_seconds, hc.unhealthy_threshold):
            out.append(
                f"{where}: {kind} fails after {timing[1]} x {timing[0]} s, the plan's health check after "
                f"{hc.unhealthy_threshold} x {hc.interval_seconds} s"
            )
        if kind == "readinessProbe" and probe.get("successThreshold", 1) != hc.healthy_threshold:
            out.append(
                f"{where}: readinessProbe takes a pod back after {probe.get('successThreshold', 1)} success(es), the "
                f"plan's health check after {hc.healthy_threshold}"
            )
    return out


def _millicores(value: Any) -> float:
    text = str(value)
    return float(text[:-1]) if text.endswith("m") else float(text) * 1000


_MEMORY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def _mebibytes(value: Any) -> float:
    text = str(value)
    for suffix, factor in sorted(_MEMORY.items(), key=lambda kv: -len(kv[0])):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor / 2**20
    return float(text) / 2**20


def _resources(plan: Plan, objs: list[dict[str, Any]], kind: KindOptions) -> list[str]:
    """Every container (init containers too) requests and limits CPU and memory, and no limit is
    below its request (the API server refuses such a pod; the strict schema does not). A service's
    limits are the plan's task size (what Fargate gives the task: the profile keeps it as the limit
    in both profiles); in the production profile its requests are the task size too (Fargate reserves
    the whole task), on a laptop they may be less (generators.kubernetes.profile.LAPTOP_REQUEST)."""
    out: list[str] = []
    services = {s.name: s for s in plan.services}
    parse = {"cpu": _millicores, "memory": _mebibytes}
    for o, pod in _pods(objs):
        for c in [*pod.get("initContainers", []), *pod["containers"]]:
            res = c.get("resources", {})
            requests, limits = res.get("requests", {}), res.get("limits", {})
            for r in ("cpu", "memory"):
                if r not in requests or r not in limits:
                    what = " and ".join(x for x, d in (("request", requests), ("limit", limits)) if r not in d)
                    out.append(f"{_name(o)}: container {c['name']} sets no {r} {what}")
                elif parse[r](limits[r]) < parse[r](requests[r]):
                    out.append(
                        f"{_name(o)}: container {c['name']}'s {r} limit {limits[r]} is below its request {requests[r]} "
                        "(the API server refuses the pod)"
                    )
        svc = services.get(o["metadata"]["name"]) if o["kind"] == "Deployment" else None
        container = next((c for c in pod["containers"] if svc and c["name"] == svc.name), None)
        if svc is None or container is None:
            continue
        task = {"cpu": svc.task_cpu.value * 1000 / 1024, "memory": float(svc.task_memory)}
        shown = {"cpu": f"{svc.task_cpu.value} CPU units", "memory": f"{svc.task_memory} MiB"}
        res = container.get("resources", {})
        for r in ("cpu", "memory"):
            limit, request = res.get("limits", {}).get(r), res.get("requests", {}).get(r)
            if limit is not None and parse[r](limit) != task[r]:
                side = "above" if parse[r](limit) > task[r] else "below"
                out.append(f"{_name(o)}: {r} limit {limit} is {side} the plan's task size ({shown[r]})")
            if kind.profile == "production" and request is not None and parse[r](request) != task[r]:
                out.append(
                    f"{_name(o)}: {r} request {request} is not the plan's task size ({shown[r]}), which the "
                    "production profile reserves as Fargate does"
                )
    return out


WRITABLE_ROOT: dict[str, str] = {}
"""Images (by repository) that may run with a writable root filesystem, each with why. None: every
image hld runs writes only to /tmp and to the folders its stand-in declares (standins.STAND_INS: data,
runtime), each mounted as a volume."""


def _read_only_root(objs: list[dict[str, Any]]) -> list[str]:
    """Every container's root filesystem is read-only (unless WRITABLE_ROOT says why not), and what
    it writes is a writable volume: /tmp for every container, and a stand-in's data and runtime
    folders (standins.STAND_INS), else the program fails on its first write."""
    from generators.kubernetes.standins import STAND_INS, image_repo

    out: list[str] = []
    for o, pod in _pods(objs):
        writable = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v or "persistentVolumeClaim" in v}
        writable |= {t["metadata"]["name"] for t in o["spec"].get("volumeClaimTemplates", [])}
        for c in [*pod.get("initContainers", []), *pod["containers"]]:
            if image_repo(c["image"]) in WRITABLE_ROOT:
                continue
            if c.get("securityContext", {}).get("readOnlyRootFilesystem") is not True:
                out.append(f"{_name(o)}: container {c['name']} may write its root filesystem (readOnlyRootFilesystem)")
            stand_in = next((s for s in STAND_INS.values() if s.image == c["image"]), None)
            paths = ["/tmp"] + ([stand_in.data, *(path for _, path in stand_in.runtime)] if stand_in else [])
            mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
            for path in dict.fromkeys(paths):
                m = mounts.get(path)
                if m is None or m["name"] not in writable or m.get("readOnly"):
                    out.append(f"{_name(o)}: container {c['name']} writes {path}, which is not a writable volume")
    return out


TOKEN_EXCEPTIONS: dict[str, str] = {}
"""Workloads (by name) that may mount a Kubernetes API token, each with why. None: no service or
stand-in calls the Kubernetes API (the add-ons that do, ingress-nginx and metrics-server, come with
their own accounts from their manifests)."""


def _service_account_token(objs: list[dict[str, Any]]) -> list[str]:
    """No pod gets an API token: its own automountServiceAccountToken is false, or unset on an account
    of the render's that is false (the default account mounts one); every ServiceAccount the render
    makes is false; every account a pod names is one the render makes (else the API refuses the pod)."""
    out: list[str] = []
    accounts = {o["metadata"]["name"]: o for o in objs if o["kind"] == "ServiceAccount"}
    for name, account in sorted(accounts.items()):
        if account.get("automountServiceAccountToken") is not False:
            out.append(f"ServiceAccount/{name}: mounts its API token in every pod that runs as it")
    for o, pod in _pods(objs):
        account = pod.get("serviceAccountName", "default")
        if account != "default" and account not in accounts:
            out.append(f"{_name(o)}: runs as ServiceAccount {account}, which the render does not make")
        mounted = pod.get("automountServiceAccountToken")
        if mounted is None:
            mounted = accounts.get(account, {}).get("automountServiceAccountToken", True)
        if mounted is not False and o["metadata"]["name"] not in TOKEN_EXCEPTIONS:
            out.append(f"{_name(o)}: mounts a Kubernetes API token it never uses (automountServiceAccountToken)")
    return out


def _network_problems(objs: list[dict[str, Any]], declared: set[tuple[str, str, int]]) -> list[str]:
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    out = []
    if not any(
        p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ):
        out.append("NetworkPolicy: no default deny for the namespace")
    for p in policies:
        for rule in p["spec"].get("egress", []):
            if any(port.get("port") == 53 for port in rule.get("ports", [])):
                for peer in rule.get("to", []):
                    if peer.get("podSelector", {}).get("matchLabels") != {"k8s-app": "kube-dns"}:
                        out.append(f"NetworkPolicy/{p['metadata']['name']}: DNS egress admits more than CoreDNS")
    admitted = set()
    for p in policies:
        to = p["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for rule in p["spec"].get("ingress", []):
            for peer in rule.get("from", []):
                source = peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
                if source is None and "namespaceSelector" in peer:
                    source = "ingress"
                for port in rule.get("ports", []):
                    admitted.add((str(to), str(source), int(port["port"])))
    for flow in sorted(admitted - declared):
        out.append(f"NetworkPolicy: admits {flow[1]} to {flow[0]} on {flow[2]}, which the blueprint does not declare")
    for flow in sorted(declared - admitted):
        out.append(f"NetworkPolicy: the declared flow {flow[1]} -> {flow[0]}:{flow[2]} is not admitted")
    return out


Check = tuple[str, str, list[str]]
"""(name, what it proves, problems)."""


def cross_checks(
    plan: Plan,
    objs: list[dict[str, Any]],
    cluster: dict[str, Any],
    kind: KindOptions | None = None,
    addons: dict[str, Any] | None = None,
    secrets: dict[str, tuple[str, ...]] | None = None,
) -> list[Check]:
    """Every named check of a render, each with its problems (none: it holds)."""
    from generators.kubernetes.cluster import addons as made_addons
    from generators.kubernetes.latency import objects as latency_objects
    from generators.kubernetes.network import flows
    from generators.kubernetes.standins import secret_keys

    kind = kind or KindOptions()
    addons = made_addons() if addons is None else addons
    secrets = secret_keys(plan) if secrets is None else secrets
    extra = latency_objects(plan, kind) if kind.latency else []  # latency.yaml, applied on its own
    return [
        (
            "objects",
            "selectors, ports, zone spread and disruption budgets agree",
            _objects(plan, objs, cluster, kind),
        ),
        (
            "autoscaling",
            f"each service's autoscaler scales its Deployment on the planned CPU target, within the plan's bounds "
            f"({kind.profile} profile)",
            _autoscaling(plan, objs, kind),
        ),
        (
            "probes",
            "every service's probes judge it as AWS does: its health path on its container port, its health "
            "command, or none as the blueprint states, at the plan's interval, timeout and thresholds; every "
            "probe's port is its container's",
            _probes(plan, objs),
        ),
        (
            "resources",
            "every container requests and limits CPU and memory, limits at least its requests; a service's "
            f"limits are the plan's task size ({kind.profile} profile)",
            _resources(plan, objs, kind),
        ),
        (
            "read-only-root",
            "every container's root filesystem is read-only, and what it writes is a writable volume",
            _read_only_root(objs),
        ),
        (
            "service-account-token",
            "no pod mounts a Kubernetes API token (no workload of hld's calls the API); every named account exists",
            _service_account_token(objs),
        ),
        (
            "network",
            "NetworkPolicies admit exactly the declared data flow; DNS only to CoreDNS",
            _network_problems(objs, flows(plan)),
        ),
        (
            "fits-budget",
            f"the pods' requests, every autoscaler at its maximum, fit {kind.cpus:g} CPU / {kind.memory_gib:g} GiB",
            _budget(plan, objs, kind),
        ),
        ("pull-policy", f"every container uses images loaded into kind ({PULL_POLICY})", _pull_policy(objs)),
        (
            "images",
            "every image hld writes (stand-ins, Jobs, kind's nodes) is a row of generators.kubernetes.images, "
            "by digest where the row has one",
            image_problems(plan, objs, cluster),
        ),
        ("stand-in-users", "each stand-in runs as the user its image expects", _stand_in_users(objs)),
        ("app-contract", "each service gets the variables it gets on AWS (generators.contract)", _contract(plan, objs)),
        (
            "stand-ins-bootstrapped",
            "every table, queue and bucket the blueprint names is created",
            _bootstrapped(plan, objs),
        ),
        ("credentials", "every secret reference resolves to a generated Secret key", _credentials(objs, secrets)),
        ("ingress-paths", "every Exact and Prefix path is one the API and ingress-nginx admit", ingress_paths(objs)),
        (
            "secrets-off-argv",
            "no container's command or arguments carry a secret (they are readable in /proc by every process)",
            argv_secrets(objs, secrets),
        ),
        (
            "stand-in-tls",
            "every stand-in AWS serves over TLS (PostgreSQL, Valkey) serves TLS only, with its certificate from "
            "the render's TLS Secret; every service using one gets the CA at the contract's CA path",
            stand_in_tls(plan, objs, secrets),
        ),
        (
            "pod-security",
            "the namespace enforces the restricted profile and every pod meets it"
            + ("; the latency profile's DaemonSet alone is privileged, in its own namespace" if extra else ""),
            _restricted([*objs, *extra], plan.name),
        ),
        (
            "kind-cluster",
            "node images by digest; the ingress controller runs where the host ports are",
            _cluster(objs, cluster, addons),
        ),
    ] + (
        [
            (
                "latency-profile",
                "latency.yaml is schema-valid and delays only the other zones' nodes and pods by HOPS['cross-zone'] "
                "(half the round trip each way, its p99 from the jitter), removes the delay as it stops, and fits "
                "the budget",
                latency_problems(plan, objs, extra, cluster, kind),
            )
        ]
        if kind.latency
        else []
    )


def latency_problems(
    plan: Plan, objs: list[dict[str, Any]], extra: list[dict[str, Any]], cluster: dict[str, Any], kind: KindOptions
) -> list[str]:
    """The latency profile (generators.kubernetes.latency), recomputed here rather than read from it:
    its objects pass the strict schema and the checks every pod passes (pull policy, images, resources,
    read-only root, no token, nothing secret on argv); its DaemonSet runs on the planned zones' workers
    only, knows every zone worker of kind-cluster.yaml with its zone (the pod skips its own zone), delays
    each direction by half HOPS['cross-zone'].p50 with a jitter whose two-way normal p99 is the hop's p99,
    removes the root qdisc before it stops; the plan has another zone to delay; and the pods' requests
    with it still fit the budget."""
    import math

    from blueprints import latency as figures
    from generators.kubernetes.profile import demand, millicores
    from generators.kubernetes.rehearsal import node_names
    from generators.kubernetes.render import K8S_VERSION

    zones = plan.zones(plan.primary_region)
    out = schema_problems(extra, K8S_VERSION)
    if len(zones) < 2:
        out.append(f"{plan.primary_region} has {len(zones)} zone: no other zone to delay; render without --latency")
    out += _pull_policy(extra) + image_problems(plan, extra, {}) + _resources(plan, extra, kind)
    out += _read_only_root(extra) + _service_account_token(extra) + argv_secrets(extra, {})
    sets = [o for o in extra if o["kind"] == "DaemonSet"]
    if len(sets) != 1:
        return [*out, f"latency.yaml: {len(sets)} DaemonSets, not one"]
    ds, pod = sets[0], sets[0]["spec"]["template"]["spec"]
    c = pod["containers"][0]
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    hop = figures.HOPS["cross-zone"]
    try:
        delay, jitter = int(env.get("DELAY_US") or ""), int(env.get("JITTER_US") or "")
    except ValueError:
        return [*out, f"{_name(ds)}: no DELAY_US / JITTER_US in microseconds"]
    p50, p99 = 2 * delay / 1000, 2 * delay / 1000 + 2.326348 * math.sqrt(2) * jitter / 1000
    if abs(p50 - hop.p50) > 0.002 or abs(p99 - hop.p99) > 0.005:
        out.append(
            f"{_name(ds)}: delays a round trip by p50 {p50:.3f} / p99 {p99:.3f} ms, HOPS['cross-zone'] says "
            f"{hop.p50:g} / {hop.p99:g} ms"
        )
    workers = [
        f"{name}={node['labels'][ZONE_KEY]}"
        for name, node in zip(node_names(cluster), cluster["nodes"], strict=True)
        if ZONE_KEY in node.get("labels", {})
    ]
    if (env.get("ZONE_NODES") or "").split() != workers:
        out.append(f"{_name(ds)}: knows the zone nodes {env.get('ZONE_NODES')!r}, kind-cluster.yaml has {workers}")
    terms = pod.get("affinity", {}).get("nodeAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution", {})
    placed = [
        e.get("values")
        for t in terms.get("nodeSelectorTerms", [])
        for e in t.get("matchExpressions", [])
        if e.get("key") == ZONE_KEY and e.get("operator") == "In"
    ]
    if placed != [zones]:
        out.append(f"{_name(ds)}: not placed on the planned zones' workers only ({ZONE_KEY} In {zones})")
    stop = " ".join(c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", []))
    script = " ".join(c.get("command", []))
    if "tc qdisc del dev" not in stop or " root" not in stop or "trap" not in script:
        out.append(f"{_name(ds)}: does not remove its qdisc as it stops (preStop and a SIGTERM trap)")
    need = demand(objs, 1 + len(zones), scaled_out=True)
    requests = c.get("resources", {}).get("requests", {})
    cpu = need.millicores + millicores(requests.get("cpu", "0m")) * len(workers)
    memory = need.mebibytes + int(_mebibytes(requests.get("memory", "0Mi"))) * len(workers)
    if cpu > kind.cpus * 1000 or memory > kind.memory_gib * 1024:
        out.append(
            f"with the latency DaemonSet the pods request {cpu / 1000:.2f} CPU / {memory / 1024:.1f} GiB, more than "
            f"{kind.cpus:g} CPU / {kind.memory_gib:g} GiB"
        )
    return out


def cross_problems(
    plan: Plan, objs: list[dict[str, Any]], cluster: dict[str, Any], kind: KindOptions | None = None
) -> list[str]:
    """Every problem of every named check, `<check>: <problem>`."""
    return [f"{name}: {p}" for name, _, problems in cross_checks(plan, objs, cluster, kind) for p in problems]


def _pods(objs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, pod spec) of every object that makes pods."""
    return [
        (o, o["spec"]["template"]["spec"])
        for o in objs
        if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job")
    ]


def _name(obj: dict[str, Any]) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def _budget(plan: Plan, objs: list[dict[str, Any]], kind: KindOptions) -> list[str]:
    """The pods' requests with every HorizontalPodAutoscaler at its maxReplicas (what the cluster
    asks of the machine once it scales out, not only at its start), kind's own and the add-ons', fit
    --cpus / --memory-gib: every kind node is a container in one VM, and each node reports the VM's
    whole capacity, so the scheduler alone never sees the VM overcommitted."""
    from generators.kubernetes.profile import demand

    need = demand(objs, 1 + len(plan.zones(plan.primary_region)), scaled_out=True)
    cpu, memory = need.millicores / 1000, need.mebibytes / 1024
    if cpu <= kind.cpus and memory <= kind.memory_gib:
        return []
    largest = sorted(need.parts, key=lambda p: -(p[1] / 1000 / kind.cpus + p[2] / 1024 / kind.memory_gib))[:3]
    return [
        f"scaled out to every autoscaler's maximum, the pods request {cpu:.2f} CPU / {memory:.1f} GiB, more than the {kind.cpus:g} CPU / "
        f"{kind.memory_gib:g} GiB every kind node shares (largest: "
        + ", ".join(f"{what} {c / 1000:.2f} CPU {m / 1024:.2f} GiB" for what, c, m in largest)
        + "); "
        + (
            "render with --profile laptop, or a larger --cpus / --memory-gib when the machine has it"
            if kind.profile != "laptop"
            else "the laptop profile's requests are already the least each workload runs with: give kind a "
            "larger --cpus / --memory-gib when the machine has it, or render fewer services"
        )
    ]


def _pull_policy(objs: list[dict[str, Any]]) -> list[str]:
    return [
        f"{_name(o)}: container {c['name']} pulls with {c.get('imagePullPolicy', 'the default policy')!s}, so kind "
        "ignores an image loaded with `kind load docker-image`"
        for o, pod in _pods(objs)
        for c in pod["containers"]
        if c.get("imagePullPolicy") not in ("IfNotPresent", "Never")
    ]


def image_problems(plan: Plan, objs: list[dict[str, Any]], cluster: dict[str, Any]) -> list[str]:
    """Every container and init container image (but the blueprint's own services') and every kind
    node image is the `ref()` of a row of the image table: an image outside it, or its tag form where
    the row has a digest, is a problem."""
    from generators.kubernetes.images import by_ref, row_of_name

    own = {s.image for s in plan.services}
    found = [
        (_name(o), c["image"])
        for o, pod in _pods(objs)
        for c in [*pod.get("initContainers", []), *pod["containers"]]
        if c["image"] not in own
    ]
    found += [(f"kind-cluster.yaml: {n['role']} node", n.get("image", "")) for n in cluster.get("nodes", [])]
    out = []
    for where, image in found:
        if by_ref(image) is not None:
            continue
        row = row_of_name(image)
        if row is not None and row.digest and f"@sha256:{row.digest}" not in image:
            out.append(f"{where}: {image} is not pinned by the table's digest ({row.ref()})")
        else:
            out.append(f"{where}: {image} is not in the image table (generators/kubernetes/images.py)")
    return out


def _stand_in_users(objs: list[dict[str, Any]]) -> list[str]:
    from generators.kubernetes.standins import IMAGE_USERS, image_repo

    out = []
    for o, pod in _pods(objs):
        if o["metadata"]["labels"].get("app.kubernetes.io/component") not in ("datastore", "job"):
            continue
        for c in pod["containers"]:
            repo = image_repo(c["image"])
            if repo not in IMAGE_USERS:
                out.append(f"{_name(o)}: {c['image']} is not in IMAGE_USERS: say which user its image expects")
                continue
            expected = IMAGE_USERS[repo][0]
            user = c.get("securityContext", {}).get("runAsUser", pod.get("securityContext", {}).get("runAsUser"))
            if expected is not None and user != expected:
                out.append(
                    f"{_name(o)}: runs {c['image']} as uid {user}; the image expects {expected} ({IMAGE_USERS[repo][1]})"
                )
    return out


def _contract(plan: Plan, objs: list[dict[str, Any]]) -> list[str]:
    from generators.contract import KIND_ONLY, variables

    out = []
    for svc in plan.services:
        deployment = next((o for o in objs if o["kind"] == "Deployment" and o["metadata"]["name"] == svc.name), None)
        if deployment is None:
            out.append(f"{svc.name}: no Deployment")
            continue
        given = [e["name"] for c in deployment["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])]
        if twice := sorted({n for n in given if given.count(n) > 1}):  # the last one would win
            out.append(f"{svc.name}: gets {', '.join(twice)} more than once")
        names = set(given)
        expected = set(variables(plan, svc, plan.primary_region, target="kubernetes"))
        if missing := sorted(expected - names):
            out.append(f"{svc.name}: lacks {', '.join(missing)}, which it gets on AWS")
        if extra := sorted(names - expected - KIND_ONLY):
            out.append(f"{svc.name}: gets {', '.join(extra)}, which it does not get on AWS")
        if names & KIND_ONLY and "AWS_REGION" not in names:
            out.append(f"{svc.name}: reaches AWS stand-ins without AWS_REGION (SDKs would ask the metadata endpoint)")
    return out


def _bootstrapped(plan: Plan, objs: list[dict[str, Any]]) -> list[str]:
    from generators.kubernetes.standins import queue_name

    scripts = " ".join(
        " ".join(c.get("command", [])) for o, pod in _pods(objs) if o["kind"] == "Job" for c in pod["containers"]
    )
    configs = " ".join(v for o in objs if o["kind"] == "ConfigMap" for v in o.get("data", {}).values())
    out = []
    for store in plan.datastores:
        if store.kind == "key-value":
            made = f"create-table --table-name {store.name} " in scripts
            keyed = f"AttributeName={store.partition_key},KeyType=HASH" in scripts
            ttl = not store.ttl_attribute or f"AttributeName={store.ttl_attribute}" in scripts
            if not (made and keyed and ttl):
                out.append(f"table {store.name}: not created with its key and TTL by a bootstrap Job")
        elif store.kind == "queue":
            q = store  # a QueuePlan
            dlq = f'deadLettersQueue {{ name = "{queue_name(q, dlq=True)}", maxReceiveCount = {q.max_receives} }}'
            if f'"{queue_name(q)}" {{' not in configs or dlq not in configs:
                out.append(f"queue {store.name}: not configured in ElasticMQ with its dead-letter queue")
        elif store.kind == "object":
            versioned = not store.versioning or f"mc version enable local/{store.name}" in scripts
            if f"mc mb --ignore-existing local/{store.name}" not in scripts or not versioned:
                out.append(f"bucket {store.name}: not created (with its versioning) by a bootstrap Job")
    return out


def _credentials(objs: list[dict[str, Any]], secrets: dict[str, tuple[str, ...]]) -> list[str]:
    out = []
    for o, pod in _pods(objs):
        for c in pod["containers"]:
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref["key"] not in secrets.get(ref["name"], ()):
                    out.append(
                        f"{_name(o)}: {e['name']} reads {ref['name']}/{ref['key']}, which the render does not generate"
                    )
        for v in pod.get("volumes", []):
            if "secret" in v:
                name = v["secret"].get("secretName")
                keys = [item["key"] for item in v["secret"].get("items", [])]
                for key in [k for k in keys if k not in secrets.get(name, ())] or ([] if name in secrets else [""]):
                    out.append(
                        f"{_name(o)}: volume {v['name']} mounts {name}{'/' + key if key else ''}, which the render "
                        "does not generate"
                    )
    return out


def _decoded(pod: dict[str, Any], volume: str) -> tuple[set[str], set[str]]:
    """(files the pod's init containers write into `volume`, the TLS Secret keys they read): the
    init container mounts `volume` and a projected TLS Secret (generators.kubernetes.tls)."""
    import re

    from generators.kubernetes.tls import TLS_SECRET

    projected = {v["name"]: v["projected"] for v in pod.get("volumes", []) if "projected" in v}
    written: set[str] = set()
    keys: set[str] = set()
    for c in pod.get("initContainers", []):
        mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
        if volume not in mounts:
            continue
        script = " ".join(c.get("command", []))
        source = {
            f"{mounts[n]}/{item['path']}": item["key"]
            for n, p in projected.items()
            if n in mounts
            for src in p.get("sources", [])
            if src.get("secret", {}).get("name") == TLS_SECRET
            for item in src["secret"].get("items", [])
        }
        for src, dst in re.findall(r"base64 -d (\S+) > (\S+)", script):
            if src in source and dst.startswith(f"{mounts[volume]}/"):
                written.add(dst.removeprefix(f"{mounts[volume]}/"))
                keys.add(source[src])
    return written, keys


def _tls_files(c: dict[str, Any], pod: dict[str, Any]) -> dict[str, str]:
    """Path in container `c` -> the file decoded there, through its mounts of the `tls` volume."""
    out: dict[str, str] = {}
    for m in c.get("volumeMounts", []):
        if m["name"] == "tls" and any(v["name"] == "tls" and "emptyDir" in v for v in pod.get("volumes", [])):
            written, _ = _decoded(pod, "tls")
            out |= {f"{m['mountPath']}/{f}": f for f in written}
    return out


def stand_in_tls(
    plan: Plan, objs: list[dict[str, Any]], secrets: dict[str, tuple[str, ...]] | None = None
) -> list[str]:
    """Where the blueprint's TLS is on: each PostgreSQL stand-in runs with ssl=on, its certificate
    and key, and a pg_hba that admits TCP only over TLS (hostssl; no host/hostnossl line), as RDS with
    rds.force_ssl; each Valkey stand-in's configuration file has no plaintext port (port 0), TLS on
    the service port and its certificate, key and CA, as ElastiCache with transit encryption
    required; the files they name are decoded into the pod from the TLS Secret's keys of that
    stand-in (which the render generates); every service using such a store mounts the CA at the
    contract's CA path."""
    import posixpath
    import re

    from generators.contract import CA_FILE
    from generators.kubernetes.standins import PG_HBA, STAND_INS, VALKEY_CONF
    from generators.kubernetes.tls import CA_CERT, TLS_SECRET, cert_key, key_key, tls_stand_ins, uses_tls

    out: list[str] = []
    generated = set((secrets or {}).get(TLS_SECRET, ())) if secrets is not None else None
    maps = {o["metadata"]["name"]: o.get("data", {}) for o in objs if o["kind"] == "ConfigMap"}
    workloads = {
        o["metadata"]["name"]: (o, pod) for o, pod in _pods(objs) if o["kind"] in ("Deployment", "StatefulSet")
    }
    for name, _ in tls_stand_ins(plan):
        store = plan.store(name)
        if name not in workloads:
            out.append(f"{name}: no stand-in workload")
            continue
        o, pod = workloads[name]
        [c] = pod["containers"][:1]
        files = _tls_files(c, pod)
        _, keys = _decoded(pod, "tls")
        wanted_keys = {CA_CERT, cert_key(name), key_key(name)}
        if missing := sorted(wanted_keys - keys):
            out.append(f"{_name(o)}: does not decode {', '.join(missing)} from the {TLS_SECRET} Secret")
        if generated is not None and (absent := sorted(wanted_keys - generated)):
            out.append(f"{_name(o)}: reads {', '.join(absent)} from {TLS_SECRET}, which the render does not generate")
        by_path: dict[str, str] = {}  # mounted file path -> its text (ConfigMaps)
        for m in c.get("volumeMounts", []):
            v: dict[str, Any] = next((x for x in pod.get("volumes", []) if x["name"] == m["name"]), {})
            data = maps.get(v.get("configMap", {}).get("name", ""), {})
            if "subPath" in m:
                by_path[m["mountPath"]] = data.get(m["subPath"], "")
            else:
                by_path |= {f"{m['mountPath']}/{k}": t for k, t in data.items()}
        args = [str(a) for a in [*c.get("command", []), *c.get("args", [])]]
        port = STAND_INS[store.kind].port
        if store.kind == "relational":
            settings = dict(a.split("=", 1) for a in args if "=" in a)
            if settings.get("ssl") != "on":
                out.append(f"{_name(o)}: PostgreSQL runs without ssl=on")
            for setting in ("ssl_cert_file", "ssl_key_file"):
                if settings.get(setting) not in files:
                    out.append(f"{_name(o)}: {setting} is not a file decoded from the TLS Secret")
            hba = by_path.get(settings.get("hba_file", ""))
            lines = [ln.split() for ln in (hba or "").splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
            if hba is None or posixpath.basename(settings.get("hba_file", "")) != PG_HBA:
                out.append(f"{_name(o)}: no pg_hba file of the render's (hba_file): plaintext TCP is admitted")
            elif any(ln[0] in ("host", "hostnossl") for ln in lines) or not any(ln[0] == "hostssl" for ln in lines):
                out.append(f"{_name(o)}: pg_hba admits TCP connections without TLS (hostssl only, as rds.force_ssl)")
        else:
            config = by_path.get(next((a for a in args if a.endswith(f"/{VALKEY_CONF}")), ""))
            directives = {
                ln.split(None, 1)[0]: [*ln.split(None, 1), ""][1].strip()
                for ln in (config or "").splitlines()
                if ln.strip() and not ln.lstrip().startswith("#")
            }
            if config is None:
                out.append(f"{_name(o)}: Valkey's configuration file is not the render's: it serves plaintext")
            else:
                if directives.get("port") != "0":
                    out.append(f"{_name(o)}: Valkey keeps a plaintext port (port 0 missing)")
                if directives.get("tls-port") != str(port):
                    out.append(f"{_name(o)}: Valkey serves no TLS on its service port {port} (tls-port)")
                for d in ("tls-cert-file", "tls-key-file", "tls-ca-cert-file"):
                    if directives.get(d) not in files:
                        out.append(f"{_name(o)}: {d} is not a file decoded from the TLS Secret")
    ca_dir, ca_name = posixpath.split(CA_FILE)
    for svc in plan.services:
        if not any(uses_tls(plan, plan.store(x)) for x in svc.stores) or svc.name not in workloads:
            continue
        o, pod = workloads[svc.name]
        c = next((c for c in pod["containers"] if c["name"] == svc.name), pod["containers"][0])
        files = _tls_files(c, pod)
        _, keys = _decoded(pod, "tls")
        if CA_FILE not in files or CA_CERT not in keys:
            out.append(f"{_name(o)}: the stand-ins' CA is not at {CA_FILE} ({ca_name} in {ca_dir})")
    return [re.sub(r"\s+", " ", p) for p in out]


def ingress_paths(objs: list[dict[str, Any]]) -> list[str]:
    """Exact and Prefix paths the Kubernetes API refuses (not absolute; `//`, `/./`, `/../`, `%2f`;
    a final `/.` or `/..`: pkg/apis/networking/validation) or the pinned ingress-nginx's admission
    webhook refuses (strict-validate-path-type, on by default: generators.kubernetes.network)."""
    from generators.kubernetes.network import INGRESS_PREFIX_SEGMENT

    out = []
    for ingress in [o for o in objs if o["kind"] == "Ingress"]:
        for rule in ingress["spec"].get("rules", []):
            for p in rule.get("http", {}).get("paths", []):
                path = p.get("path", "")
                if p.get("pathType") not in ("Exact", "Prefix"):
                    continue
                api = path.startswith("/") and not any(s in path for s in ("//", "/./", "/../", "%2f", "%2F"))
                api = api and not path.endswith(("/.", "/.."))
                segments = [s for s in path.split("/")[1:] if s]
                if not api or not all(INGRESS_PREFIX_SEGMENT.fullmatch(s) for s in segments):
                    out.append(f"{_name(ingress)}: path {path!r} cannot be used with pathType {p.get('pathType')}")
    return out


def argv_secrets(
    objs: list[dict[str, Any]],
    secrets: dict[str, tuple[str, ...]],
    values: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """Containers whose command or arguments hold a secret: a `$(VAR)` the kubelet expands or a
    `$VAR`/`${VAR}` a shell expands, VAR read from a Secret (env or envFrom), or one of `values`
    (the render's generated credentials, when the caller has them) written out."""
    import re

    out = []
    for o, pod in _pods(objs):
        for c in [*pod.get("initContainers", []), *pod["containers"]]:
            secret_vars = {e["name"] for e in c.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})} | {
                f"{src['secretRef'].get('prefix', '')}{key}"
                for src in c.get("envFrom", [])
                if "secretRef" in src
                for key in secrets.get(src["secretRef"]["name"], ())
            }
            argv = [str(a) for a in [*c.get("command", []), *c.get("args", [])]]
            for var in sorted(secret_vars):
                reference = re.compile(rf"\$\({re.escape(var)}\)|\$\{{?{re.escape(var)}\b")
                if any(reference.search(a) for a in argv):
                    out.append(
                        f"{_name(o)}: container {c['name']} puts the Secret-backed {var} on its command line; "
                        "pass it in a file or the environment the program reads"
                    )
            for secret, keys in sorted((values or {}).items()):
                for key, value in sorted(keys.items()):
                    if len(value) >= 8 and any(value in a for a in argv):
                        out.append(f"{_name(o)}: container {c['name']} has {secret}/{key}'s value on its command line")
    return out


ALLOWED_VOLUMES = {"emptyDir", "configMap", "secret", "persistentVolumeClaim", "projected", "downwardAPI"}


PRIVILEGED_WORKLOADS: dict[tuple[str, str], str] = {
    ("{system}-latency", "DaemonSet/zone-latency"): (
        "the optional latency profile (`hld render --latency`, generators.kubernetes.latency) runs tc netem "
        "on each zone node: the node's network namespace (hostNetwork) and CAP_NET_ADMIN, as root; Pod "
        "Security's baseline and restricted levels refuse both, so it has its own Namespace at `privileged`"
    ),
}
"""The only pods admitted beyond the restricted profile, by (namespace, kind/name) (`{system}` is the
plan's name), each with why: each must sit in its own Namespace labelled `privileged` that says why
(`kubernetes.io/description`), and may hold exactly LATENCY_PRIVILEGES and nothing more."""

LATENCY_PRIVILEGES: dict[str, Any] = {"hostNetwork": True, "add": ["NET_ADMIN"], "runAsUser": 0}
"""What the latency profile's pod holds beyond restricted: the node's network, NET_ADMIN, root."""


def _restricted(objs: list[dict[str, Any]], system: str | None = None) -> list[str]:
    """The system's namespace enforces the restricted profile and every pod meets it (no host
    namespaces, no added capability, not privileged) in a namespace that enforces it; the one
    exception is a PRIVILEGED_WORKLOADS entry, in its own `privileged` namespace, with exactly
    LATENCY_PRIVILEGES."""
    out = []
    namespace = next((o for o in objs if o["kind"] == "Namespace"), None)
    if namespace is None or any(namespace["metadata"].get("labels", {}).get(k) != v for k, v in RESTRICTED.items()):
        out.append("the namespace does not enforce the restricted Pod Security profile")
    system = system or (namespace["metadata"]["name"] if namespace else "")
    levels = {
        o["metadata"]["name"]: o["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce")
        for o in objs
        if o["kind"] == "Namespace"
    }
    reasons = {o["metadata"]["name"]: o["metadata"].get("annotations", {}) for o in objs if o["kind"] == "Namespace"}
    excepted = {(ns.format(system=system), what) for ns, what in PRIVILEGED_WORKLOADS}
    pods = _pods(objs)
    for o, pod in pods:
        ns = o["metadata"].get("namespace", system)
        if (ns, _name(o)) in excepted:
            out += _privileged_exactly(o, pod, levels.get(ns), reasons.get(ns, {}))
            others = [_name(x) for x, _ in pods if x is not o and x["metadata"].get("namespace") == ns]
            out += [f"{x}: runs in {ns}, the privileged namespace of {_name(o)} alone" for x in others]
            continue
        if levels.get(ns) != "restricted":
            out.append(f"{_name(o)}: its namespace {ns} does not enforce the restricted Pod Security profile")
        out += _restricted_pod(o, pod)
    return out + _statefulsets(objs)


def _privileged_exactly(o: dict[str, Any], pod: dict[str, Any], level: str | None, notes: dict[str, str]) -> list[str]:
    """The excepted pod holds LATENCY_PRIVILEGES and nothing more, in a namespace that says why."""
    out = []
    if level != "privileged" or not notes.get("kubernetes.io/description"):
        out.append(f"{_name(o)}: its namespace is not its own `privileged` one with the reason stated")
    if (
        pod.get("hostPID")
        or pod.get("hostIPC")
        or pod.get("securityContext", {}).get("seccompProfile", {}).get("type") != "RuntimeDefault"
    ):
        out.append(f"{_name(o)}: holds more than the node's network (host PID/IPC, or no RuntimeDefault seccomp)")
    if pod.get("automountServiceAccountToken") is not False:
        out.append(f"{_name(o)}: mounts an API token it never uses")
    for v in pod.get("volumes", []):
        if not set(v) - {"name"} <= ALLOWED_VOLUMES:
            out.append(f"{_name(o)}: volume {v['name']} reaches the node's filesystem")
    for c in [*pod.get("initContainers", []), *pod["containers"]]:
        sc = c.get("securityContext", {})
        caps = sc.get("capabilities", {})
        if (
            sc.get("privileged")
            or sc.get("allowPrivilegeEscalation") is not False
            or caps.get("drop") != ["ALL"]
            or caps.get("add", []) != LATENCY_PRIVILEGES["add"]
        ):
            out.append(
                f"{_name(o)}: container {c['name']} holds more than {', '.join(LATENCY_PRIVILEGES['add'])} "
                "(privileged, escalation, or other capabilities)"
            )
        if any("hostPort" in p for p in c.get("ports", [])):
            out.append(f"{_name(o)}: container {c['name']} binds a host port")
    return out


def _restricted_pod(o: dict[str, Any], pod: dict[str, Any]) -> list[str]:
    out = []
    psc = pod.get("securityContext", {})
    if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        out.append(f"{_name(o)}: no RuntimeDefault seccomp profile")
    for host in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(host):
            out.append(f"{_name(o)}: shares the node's {host.removeprefix('host')} namespace ({host})")
    for v in pod.get("volumes", []):
        if not set(v) - {"name"} <= ALLOWED_VOLUMES:
            out.append(f"{_name(o)}: volume {v['name']} is not allowed under restricted")
    for c in pod["containers"]:
        sc = c.get("securityContext", {})
        if sc.get("allowPrivilegeEscalation") is not False or sc.get("capabilities", {}).get("drop") != ["ALL"]:
            out.append(f"{_name(o)}: container {c['name']} may escalate or keeps capabilities")
        if sc.get("privileged") or set(sc.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
            out.append(f"{_name(o)}: container {c['name']} is privileged or adds capabilities")
        if not (sc.get("runAsNonRoot") or psc.get("runAsNonRoot")):
            out.append(f"{_name(o)}: container {c['name']} may run as root")
        if any("hostPort" in p for p in c.get("ports", [])):
            out.append(f"{_name(o)}: container {c['name']} binds a host port")
        if c.get("livenessProbe") and not c.get("startupProbe"):
            out.append(f"{_name(o)}: container {c['name']} has a liveness probe but no startup probe")
    return out


def _statefulsets(objs: list[dict[str, Any]]) -> list[str]:
    out = []
    for o in objs:
        if o["kind"] == "StatefulSet":
            governing = o["spec"].get("serviceName")
            svc = next((x for x in objs if x["kind"] == "Service" and x["metadata"]["name"] == governing), None)
            if svc is None or svc["spec"].get("clusterIP") != "None":
                out.append(f"{_name(o)}: serviceName {governing!r} is not a headless Service")
    return out


def _cluster(objs: list[dict[str, Any]], cluster: dict[str, Any], addons: dict[str, Any]) -> list[str]:
    import json

    out = []
    for n in cluster["nodes"]:
        if "@sha256:" not in n.get("image", ""):
            out.append(f"kind-cluster.yaml: {n['role']} node image {n.get('image')!r} is not pinned by digest")
    mapped = [n for n in cluster["nodes"] if {m["containerPort"] for m in n.get("extraPortMappings", [])} >= {80, 443}]
    patches = {p["target"]["name"]: json.loads(p["patch"]) for p in addons.get("patches", [])}
    ops = {op["path"]: op["value"] for op in patches.get("ingress-nginx-controller", [])}
    selector = ops.get("/spec/template/spec/nodeSelector", {})
    if (
        len(mapped) != 1
        or not selector
        or not all(mapped[0].get("labels", {}).get(k) == v for k, v in selector.items() if k != "kubernetes.io/os")
    ):
        out.append("addons: the ingress controller is not pinned to the one node whose ports 80/443 the host maps")
    if (
        mapped
        and mapped[0]["role"] == "control-plane"
        and not any(
            t.get("key") == "node-role.kubernetes.io/control-plane"
            for t in ops.get("/spec/template/spec/tolerations", [])
        )
    ):
        out.append("addons: the ingress controller does not tolerate the control plane's taint")
    if any(o["kind"] == "HorizontalPodAutoscaler" for o in objs) and "--kubelet-insecure-tls" not in json.dumps(
        patches.get("metrics-server", [])
    ):
        out.append("addons: no metrics-server that reads kind's kubelets: the autoscalers would never scale")
    return out
