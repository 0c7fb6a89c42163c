"""Latency, the third axis: the figures a journey's milliseconds are composed from, each with its source.

- Round trips between AWS regions: cloudping.co's one-year medians (p50) and 90th percentiles, as
  snapshots of its API committed to public repositories (dated below). cloudping measures a TCP
  connect from a Lambda function in one region to DynamoDB's endpoint in another: about one round
  trip. The matrices are directional; hld uses the mean of the two directions (they differ by at
  most 4.3 ms among these regions). No p99 matrix is published (AWS Network Manager publishes
  medians only); the p90 stands in for the WAN's tail, which is narrow (p90 about 3 % over p50).
- Per hop: what AWS documents (DynamoDB's "single-digit millisecond", ElastiCache's "sub-
  millisecond", S3's "roughly 100-200 milliseconds" first byte, zones "single-digit millisecond"
  apart), and, where AWS publishes no figure, a stated assumption (`assumed=True`), which the plan
  lists as one with where to change it.

The composition (blueprints.planner.latency) is stated there: p50 as the sum of the hops' medians,
p99 as the sum of their 99th percentiles (an upper bound for hops in series; a parallel fan-out
of N calls would need each call's 0.99^(1/N) quantile: Dean and Barroso, "The Tail at Scale", CACM
56(2), 2013).
"""

from __future__ import annotations

from dataclasses import dataclass

RTT_SOURCE = (
    "cloudping.co one-year p50 (snapshot of 2025-05-29: github.com/oaustegard/oaustegard.github.io "
    "web-utilities/aws-ping-p50-1y.json) and p90 (snapshot of 2025-07-17: github.com/commonwarexyz/monorepo "
    "examples/estimator/src/p90.json, commit a9f5875)"
)
RTT_DATED = "2025-05"
REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "sa-east-1",
)

_P50 = (
    (
        5.3,
        14.7,
        63.9,
        64.3,
        16.4,
        69.6,
        77.7,
        83.8,
        93.1,
        112.5,
        149.4,
        178.6,
        153.0,
        219.1,
        199.7,
        192.3,
        115.2,
    ),  # us-east-1
    (
        16.1,
        4.9,
        52.9,
        51.1,
        28.0,
        80.5,
        88.6,
        94.9,
        103.9,
        123.5,
        135.5,
        165.4,
        142.1,
        203.6,
        188.5,
        204.1,
        125.5,
    ),  # us-east-2
    (
        63.8,
        52.5,
        2.5,
        21.9,
        79.7,
        129.8,
        147.8,
        144.1,
        153.2,
        172.7,
        108.2,
        133.1,
        109.6,
        169.7,
        139.1,
        231.3,
        174.7,
    ),  # us-west-1
    (
        64.0,
        50.6,
        21.9,
        3.0,
        60.5,
        118.2,
        128.8,
        135.2,
        142.6,
        156.0,
        98.0,
        123.1,
        99.5,
        160.2,
        140.9,
        221.7,
        174.4,
    ),  # us-west-2
    (
        16.2,
        26.4,
        79.9,
        60.7,
        3.8,
        69.1,
        79.4,
        85.6,
        93.1,
        106.8,
        145.7,
        175.5,
        151.7,
        214.4,
        198.2,
        192.8,
        125.2,
    ),  # ca-central-1
    (
        69.6,
        80.1,
        130.0,
        118.4,
        69.1,
        2.9,
        13.9,
        19.9,
        27.3,
        41.2,
        201.0,
        231.3,
        206.9,
        182.0,
        255.7,
        125.9,
        178.1,
    ),  # eu-west-1
    (
        77.4,
        88.0,
        147.7,
        128.8,
        78.8,
        13.4,
        3.3,
        11.0,
        17.9,
        32.1,
        211.4,
        241.6,
        217.1,
        172.2,
        266.0,
        117.6,
        186.6,
    ),  # eu-west-2
    (
        84.0,
        94.5,
        144.4,
        135.5,
        85.7,
        20.0,
        11.6,
        3.0,
        12.7,
        32.1,
        218.3,
        248.1,
        224.4,
        167.3,
        280.3,
        109.5,
        195.5,
    ),  # eu-west-3
    (
        92.6,
        103.3,
        153.0,
        142.3,
        92.7,
        26.9,
        17.8,
        12.2,
        4.0,
        22.8,
        227.1,
        231.1,
        233.9,
        160.6,
        251.5,
        129.1,
        203.9,
    ),  # eu-central-1
    (
        112.1,
        122.6,
        172.4,
        154.8,
        104.9,
        39.8,
        31.2,
        31.5,
        22.9,
        3.2,
        246.8,
        250.2,
        253.3,
        180.5,
        271.4,
        148.7,
        222.8,
    ),  # eu-north-1
    (
        149.2,
        134.5,
        108.6,
        98.5,
        144.7,
        201.1,
        211.9,
        218.0,
        227.6,
        247.3,
        2.5,
        36.2,
        10.0,
        70.5,
        107.4,
        134.2,
        257.4,
    ),  # ap-northeast-1
    (
        178.7,
        164.7,
        133.6,
        123.5,
        175.1,
        232.4,
        243.0,
        248.9,
        231.9,
        250.5,
        36.2,
        3.8,
        25.1,
        73.8,
        144.9,
        134.6,
        288.4,
    ),  # ap-northeast-2
    (
        153.1,
        139.8,
        109.8,
        99.8,
        150.4,
        206.9,
        217.7,
        223.8,
        234.2,
        253.3,
        9.7,
        24.9,
        2.1,
        76.6,
        120.2,
        137.5,
        263.1,
    ),  # ap-northeast-3
    (
        218.6,
        203.2,
        170.6,
        160.9,
        214.8,
        182.5,
        172.7,
        167.0,
        161.3,
        180.7,
        70.7,
        74.0,
        76.9,
        3.6,
        94.7,
        63.8,
        327.4,
    ),  # ap-southeast-1
    (
        199.7,
        188.0,
        139.2,
        141.0,
        198.2,
        255.6,
        266.3,
        280.2,
        251.8,
        271.8,
        106.3,
        145.8,
        120.6,
        94.7,
        4.0,
        154.5,
        311.9,
    ),  # ap-southeast-2
    (
        189.7,
        199.8,
        231.1,
        221.5,
        191.4,
        125.5,
        117.2,
        108.8,
        128.8,
        148.1,
        133.3,
        133.8,
        137.0,
        63.4,
        154.3,
        3.0,
        301.2,
    ),  # ap-south-1
    (
        115.4,
        125.4,
        175.2,
        175.1,
        125.8,
        178.4,
        187.2,
        195.9,
        204.9,
        222.3,
        258.1,
        288.2,
        263.9,
        327.4,
        312.2,
        301.7,
        3.1,
    ),  # sa-east-1
)
_P90 = (
    (
        9.3,
        19.2,
        74.2,
        69.3,
        21.4,
        74.6,
        83.0,
        89.1,
        98.6,
        117.9,
        156.6,
        187.6,
        163.9,
        230.3,
        204.5,
        203.7,
        119.4,
    ),  # us-east-1
    (
        20.2,
        8.9,
        66.8,
        58.1,
        34.1,
        87.5,
        95.8,
        101.9,
        111.0,
        130.4,
        144.5,
        176.3,
        153.3,
        213.0,
        195.6,
        212.2,
        132.4,
    ),  # us-east-2
    (
        74.3,
        66.7,
        5.3,
        24.1,
        83.1,
        134.0,
        151.0,
        147.5,
        156.5,
        175.8,
        111.1,
        136.7,
        112.5,
        173.8,
        142.2,
        238.8,
        177.6,
    ),  # us-west-1
    (
        66.5,
        52.7,
        23.6,
        5.9,
        64.1,
        121.3,
        131.8,
        138.5,
        146.1,
        158.9,
        101.1,
        127.0,
        102.3,
        164.0,
        143.5,
        233.5,
        177.6,
    ),  # us-west-2
    (
        20.7,
        30.8,
        83.8,
        65.3,
        7.3,
        72.8,
        83.3,
        89.4,
        97.3,
        109.9,
        158.5,
        182.4,
        159.2,
        223.4,
        202.4,
        197.2,
        128.7,
    ),  # ca-central-1
    (
        72.8,
        83.2,
        134.2,
        122.0,
        72.4,
        5.8,
        17.1,
        23.3,
        30.5,
        44.1,
        208.5,
        239.9,
        216.2,
        185.9,
        259.0,
        133.7,
        181.0,
    ),  # eu-west-1
    (
        80.4,
        91.1,
        150.3,
        131.8,
        81.7,
        16.1,
        6.2,
        13.3,
        20.4,
        34.5,
        218.9,
        250.1,
        226.1,
        177.0,
        269.1,
        121.5,
        189.5,
    ),  # eu-west-2
    (
        86.8,
        97.7,
        147.4,
        138.7,
        88.7,
        22.7,
        14.1,
        5.6,
        15.1,
        35.3,
        225.3,
        256.8,
        233.7,
        171.1,
        283.0,
        113.7,
        198.0,
    ),  # eu-west-3
    (
        95.3,
        105.9,
        156.6,
        145.8,
        95.8,
        29.6,
        20.3,
        14.6,
        5.9,
        25.8,
        231.1,
        253.2,
        237.4,
        164.2,
        254.6,
        133.0,
        206.3,
    ),  # eu-central-1
    (
        114.9,
        125.5,
        175.2,
        158.1,
        108.1,
        43.0,
        34.1,
        34.6,
        26.1,
        5.4,
        250.8,
        263.3,
        257.2,
        184.9,
        275.2,
        152.8,
        226.0,
    ),  # eu-north-1
    (
        155.9,
        140.4,
        111.6,
        101.5,
        158.1,
        208.7,
        219.1,
        225.6,
        231.6,
        251.2,
        5.9,
        38.6,
        12.9,
        73.6,
        114.9,
        145.7,
        264.3,
    ),  # ap-northeast-1
    (
        186.7,
        171.8,
        137.6,
        127.4,
        182.0,
        240.2,
        250.5,
        256.8,
        254.0,
        272.2,
        39.1,
        5.8,
        29.3,
        80.2,
        149.4,
        140.4,
        296.1,
    ),  # ap-northeast-2
    (
        162.3,
        148.2,
        112.7,
        102.6,
        158.2,
        215.9,
        226.4,
        233.1,
        238.0,
        256.7,
        12.7,
        28.8,
        5.1,
        79.7,
        123.0,
        140.9,
        272.5,
    ),  # ap-northeast-3
    (
        231.1,
        210.9,
        174.5,
        164.7,
        224.4,
        186.3,
        177.7,
        171.1,
        165.2,
        184.6,
        73.6,
        80.8,
        79.9,
        5.7,
        97.5,
        67.2,
        332.5,
    ),  # ap-southeast-1
    (
        202.9,
        191.3,
        142.4,
        144.2,
        201.8,
        259.2,
        269.6,
        283.4,
        255.6,
        275.7,
        116.0,
        150.4,
        123.8,
        98.0,
        5.8,
        157.9,
        315.1,
    ),  # ap-southeast-2
    (
        200.9,
        207.2,
        238.5,
        233.6,
        195.2,
        132.4,
        121.1,
        112.9,
        133.2,
        152.6,
        144.8,
        139.9,
        140.5,
        66.9,
        157.5,
        5.4,
        305.3,
    ),  # ap-south-1
    (
        118.1,
        128.6,
        178.2,
        177.9,
        128.7,
        181.3,
        190.4,
        198.5,
        207.5,
        226.7,
        264.1,
        296.5,
        272.8,
        332.6,
        315.1,
        306.3,
        5.6,
    ),  # sa-east-1
)


def _symmetric(rows: tuple[tuple[float, ...], ...]) -> dict[tuple[str, str], float]:
    return {
        (a, b): round((rows[i][j] + rows[j][i]) / 2, 1) for i, a in enumerate(REGIONS) for j, b in enumerate(REGIONS)
    }


RTT_P50: dict[tuple[str, str], float] = _symmetric(_P50)
"""Round trip between two regions, ms, median (the diagonal: a connect within a region)."""
RTT_P90: dict[tuple[str, str], float] = _symmetric(_P90)
"""The 90th percentile, ms: what hld uses as the WAN hop's tail (no p99 is published)."""


def rtt(a: str, b: str) -> tuple[float, float]:
    """(p50, tail) ms of a round trip between regions `a` and `b`; 0 within one region (the hops
    inside a region are counted on their own)."""
    if a == b:
        return 0.0, 0.0
    return RTT_P50[(a, b)], RTT_P90[(a, b)]


def nearest(region: str, among: list[str]) -> str:
    """The region of `among` with the shortest median round trip from `region` (the first on a tie)."""
    return min(among, key=lambda r: (rtt(region, r)[0], among.index(r)))


@dataclass(frozen=True)
class Hop:
    """One hop's latency: median and 99th percentile in ms, what it is, its source, and whether the
    figure is an assumption (AWS publishes none) rather than a documented or measured one."""

    key: str
    what: str
    p50: float
    p99: float
    source: str
    assumed: bool = False


_S3 = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html"

HOPS: dict[str, Hop] = {
    h.key: h
    for h in (
        Hop(
            "last-mile",
            "the user to the nearest AWS region or CloudFront edge",
            20,
            60,
            "no published figure: an assumption (broadband to a nearby point of presence)",
            assumed=True,
        ),
        Hop(
            "dns",
            "a DNS lookup the resolver has not cached (first request of a session)",
            20,
            120,
            "https://sematext.com/glossary/dns-lookup-time/ (20-120 ms; a third-party figure)",
            assumed=True,
        ),
        Hop(
            "load-balancer",
            "the load balancer's own time (request and response processing)",
            1,
            5,
            "no published figure (the ALB's access logs carry request_processing_time): an assumption",
            assumed=True,
        ),
        Hop(
            "cross-zone",
            "a hop to another zone of the region",
            1,
            3.4,
            "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/availability-zones.html "
            "(single-digit ms); measured 0.25-3.37 ms between zones: https://www.xkyle.com/Measuring-AWS-Region-and-AZ-Latency/",
        ),
        Hop(
            "processing",
            "the service's own processing, where the route does not state it",
            10,
            50,
            "no figure for an unknown service: an assumption (routes[].processing sets it)",
            assumed=True,
        ),
        Hop(
            "dynamodb",
            "a DynamoDB read or write in the region",
            5,
            10,
            "https://aws.amazon.com/dynamodb/ (single-digit millisecond; taken as the p99's bound)",
        ),
        Hop(
            "elasticache",
            "an ElastiCache read or write in the region",
            0.5,
            1,
            "https://aws.amazon.com/elasticache/ (sub-millisecond)",
        ),
        Hop(
            "relational-read",
            "a relational query by key (RDS or Aurora PostgreSQL)",
            2,
            20,
            "no published figure (workload-dependent): an assumption",
            assumed=True,
        ),
        Hop(
            "relational-write",
            "a relational write, committed (Multi-AZ: synchronously to the standby)",
            5,
            40,
            "no published figure (workload-dependent): an assumption",
            assumed=True,
        ),
        Hop("s3", "an S3 request, to the first byte", 100, 200, f"{_S3} (roughly 100-200 ms for small objects)"),
        Hop(
            "sqs",
            "an SQS send (stored across zones before it is acknowledged)",
            10,
            30,
            "no published figure: an assumption "
            "(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html)",
            assumed=True,
        ),
        Hop(
            "cdn-hit",
            "CloudFront answering from its cache at the edge",
            1,
            5,
            "no published figure: an assumption (the edge's own time, beside the user's last mile)",
            assumed=True,
        ),
    )
}

HANDSHAKES = 2
"""Round trips a new connection costs before the request: TCP (1, RFC 9293) and TLS 1.3 (1, RFC 8446);
TLS 1.2 would be 2 (https://gnutls.org/manual/html_node/Reducing-round_002dtrips.html)."""
TAIL_AT_SCALE = (
    "Dean and Barroso, The Tail at Scale, CACM 56(2):74-80, 2013, https://cacm.acm.org/research/the-tail-at-scale/"
)
PACELC = "Abadi, Consistency Tradeoffs in Modern Distributed Database System Design, IEEE Computer 45(2), 2012"
MRSC = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/multi-region-strong-consistency-gt.html "
    "(MRSC: a strongly consistent read has multi-Region scope, and writes replicate synchronously, with higher "
    "latency than MREC; AWS gives no figure: hld counts one round trip to the nearest other region of the set "
    "for each write and strongly consistent read, an assumption)"
)
