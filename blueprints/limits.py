"""Bounds on a blueprint: what hld reads, and what the targets can run.

Every bound is a named constant with the reason for its value (and its source where it is a
provider's limit). The loader applies the input bounds before anything is built, the schema
applies the field bounds, the coherence rules the bounds that depend on derived knobs. Each
ends in a located problem (FILE:LINE:COL), exit 2, in well under a second.
"""

from __future__ import annotations

# --- reading the file ---------------------------------------------------------------------------

MAX_FILE_BYTES = 1024 * 1024
"""1 MiB. The largest blueprint hld accepts (MAX_SERVICES services with routes and data flow)
is about 60 KB; a file 16 times that is not a design, and reading it must not cost seconds."""

MAX_NODES = 20_000
"""YAML nodes after aliases are expanded. An alias repeats a node without copying it in the
file, so a few hundred bytes of nested aliases expand to billions of nodes (the "billion
laughs"). A blueprint of 100 services with 10 routes and 10 data-flow edges each and 100 data
stores has about 5,000 nodes; building 20,000 takes a tenth of a second."""

MAX_DEPTH = 32
"""Nesting of mappings and lists, block and flow alike (`[[[...]]]` counts as `a: {b: ...}` does).
A blueprint nests 6 levels at most (services[].uses[].{name}); deeper documents are refused before
they are built."""

MAX_SCALAR = 65_536
"""Characters of one scalar (a key or a value), as written: 32 times the longest field (a
description of MAX_DESCRIPTION). A longer one is refused before YAML resolves or builds it; one
under it that is still too long for its field is reported by the schema with the other problems."""

MAX_NUMBER = 32
"""Characters of a number as written, checked on the token before YAML converts it (YAML 1.1 reads
`0x...`, `0b...`, `0...` (octal), `1:30:00` (base 60) and `1_000` as integers). The largest
number a blueprint holds, 10,000,000 (MAX_PEAK_RPS), takes 10 with its separators, and a float's
17 significant digits with a sign, a point and an exponent 24. Longer numbers cost: Python refuses
to convert more than 4,300 digits (sys.get_int_max_str_digits), base-60 and hexadecimal forms
take time quadratic in their length (55 s for 900 KB of `1:59:59...`), and a base-60 float
overflows."""

# --- the design ---------------------------------------------------------------------------------

MAX_SERVICES = 100
MAX_DATASTORES = 100
"""Services and data stores per blueprint. 100 services over 3 regions is the largest design
the benchmarks run (`make bench`, scale suite: 3,776 resources, verified offline in about
15 s); beyond it a plan is not reviewable and a Pulumi stack not practical."""

MAX_ROUTES = 50
"""Public routes of one service. Each route becomes a listener rule; see MAX_LISTENER_RULES."""

MAX_LISTENER_RULES = 100
"""Rules per Application Load Balancer, not counting default rules (the default quota):
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html.
hld writes one rule per distinct public path pattern plus one for the health path."""

MAX_PATH = 128
"""A listener rule's path pattern is at most 128 characters (same page as above)."""

MAX_HEALTH_PATH = 1024
"""A target group's health-check path is at most 1024 characters
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html)."""

MAX_IMAGE = 255
"""ECS accepts container image references of up to 255 characters
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_image)."""

MAX_DESCRIPTION = 2000
"""Characters of a description. A description is a paragraph of the HLD document; it is
copied into HLD.md, plan.json and the terminal, so it must stay a paragraph."""

MAX_ATTRIBUTE = 255
"""DynamoDB attribute names (partition key, TTL attribute) are 1 to 255 bytes
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html)."""

MAX_DOMAIN = 253
"""A DNS name is at most 253 characters, each label at most 63 (RFC 1035)."""

MAX_TASKS_PER_SERVICE = 5000
"""ECS tasks per service, the default quota
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html); it also
keeps Kubernetes' int32 `replicas` far from overflow. A service's autoscaling maximum in any
region must stay within it."""

MAX_PEAK_RPS = 10_000_000
"""Requests per second at peak, whole system: two orders of magnitude above the busiest
services published (a single design beyond it is many systems). Bounds the arithmetic too."""

MAX_RPS_PER_REPLICA = 1_000_000
"""What one replica serves: far above what one Fargate task (16 vCPU at most) can."""

MAX_CALLS_PER_REQUEST = 1000
"""Calls a `uses` edge makes per request: a fan-out of a thousand is far past any journey that
meets a latency goal, and it keeps a caller's peak times its calls within MAX_PEAK_RPS x 1000."""

MAX_OBJECTIVE_SECONDS = 30 * 86400
"""RTO and RPO at most 30 days: automated backups are kept 35 days at most, so a longer
objective cannot be planned for."""

MAX_TTL_SECONDS = 31_536_000
"""One year: CloudFront's default maximum TTL, and the longest `max-age` HTTP caches honour
(RFC 9111 recommends a year at most)."""

SQS_MAX_VISIBILITY_SECONDS = 43_200
SQS_MIN_RETENTION_SECONDS = 60
SQS_MAX_RETENTION_SECONDS = 1_209_600
"""SQS: visibility timeout 0 to 12 hours, retention 60 seconds to 14 days
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html)."""

MAX_CACHE_MEMORY_MIB = 419 * 1024
"""The largest ElastiCache node, cache.r7g.16xlarge, has 419.09 GiB
(https://aws.amazon.com/elasticache/pricing/)."""

AVAILABILITY_DECIMALS = 3
"""AWS publishes SLAs to three decimals of a percent (99.999): a target beyond that cannot be
judged from the figures (blueprints.figures.SLA_RESOLUTION)."""
