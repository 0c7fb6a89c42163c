"""The price table: on-demand list prices in USD for every region the format accepts
(blueprints.figures.REGION_ZONES), each row with the AWS pricing page it is shown on, the price
data it was read from and the month of that data. Regional rows live in `regional.json`; the
global ones (CloudFront, WAF, Route 53) below. A region missing from a row is unpriced, and the
estimate says so rather than guess. Sizes the table does not list are scaled from a listed size of
their family (AWS prices a family's sizes in proportion), and say so."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from blueprints.sizes import CACHE, RELATIONAL, scale

TABLE = Path(__file__).with_name("regional.json")


@dataclass(frozen=True)
class Price:
    item: str
    unit: str
    usd: dict[str, float]  # region (or "global") -> USD per unit
    source: str
    """The AWS pricing page, then what the figures were read from."""
    checked: str
    """The month of the price data (YYYY-MM)."""


def _regional() -> list[Price]:
    rows = []
    for item, row in json.loads(TABLE.read_text()).items():
        read_from = row.get("data") or row.get("note") or ""
        rows.append(Price(item, row["unit"], dict(row["usd"]), f"{row['page']} (read from {read_from})", row["read"]))
    return rows


def _global(item: str, unit: str, usd: float, source: str, checked: str = "2025-11") -> Price:
    return Price(item, unit, {"global": usd}, source, checked)


_GLOBAL = [
    _global("cloudfront-data", "GB", 0.085, "https://aws.amazon.com/cloudfront/pricing/ (North America, first 10 TB)"),
    _global("cloudfront-https", "10 thousand requests", 0.01, "https://aws.amazon.com/cloudfront/pricing/"),
    _global("waf-acl", "web ACL-month", 5.0, "https://aws.amazon.com/waf/pricing/"),
    _global("waf-rule", "rule-month", 1.0, "https://aws.amazon.com/waf/pricing/"),
    _global("waf-requests", "million requests", 0.60, "https://aws.amazon.com/waf/pricing/"),
    _global("route53-zone", "hosted zone-month", 0.50, "https://aws.amazon.com/route53/pricing/"),
    _global(
        "route53-health-check",
        "health check-month",
        1.50,
        "https://aws.amazon.com/route53/pricing/ (AWS endpoint $0.50 + HTTPS $1.00)",
    ),
    _global("route53-queries", "million queries", 0.60, "https://aws.amazon.com/route53/pricing/ (latency)"),
    _global(
        "fis-action-minute",
        "action-minute",
        0.10,
        "https://aws.amazon.com/fis/pricing/ (every region but AWS GovCloud, $0.12; billed only while an "
        "experiment's action runs, rounded to the minute: a template costs nothing to keep)",
        "2026-12",
    ),
]


def _scaled(rows: dict[str, Price]) -> list[Price]:
    """A row for each offered size the table lacks, scaled from the nearest listed size of its family."""
    out = []
    wanted = [(f"rds-postgres:{s.name}", s) for s in RELATIONAL["rds-postgresql"]]
    wanted += [
        (f"{prefix}:{s.name}", s) for prefix in ("aurora", "aurora-iopt1") for s in RELATIONAL["aurora-postgresql"]
    ]
    wanted += [(f"{engine}:{s.name}", s) for engine in ("valkey", "redis") for s in CACHE]
    for item, size in wanted:
        if item in rows:
            continue
        prefix = item.split(":", 1)[0]
        listed = [
            (name, row)
            for name, row in rows.items()
            if name.startswith(f"{prefix}:{size.family}.") and name.count(":") == 1
        ]
        if not listed:
            continue
        name, anchor = min(listed, key=lambda x: abs(scale(x[0].rsplit(".", 1)[1]) - scale(size.size)))
        factor = scale(size.size) / scale(name.rsplit(".", 1)[1])
        out.append(
            Price(
                item,
                anchor.unit,
                {r: round(usd * factor, 4) for r, usd in anchor.usd.items()},
                f"{anchor.source.split(' ')[0]} (scaled x{factor:g} from {name.split(':', 1)[1]}: AWS prices a "
                "family's sizes in proportion; the page's figure may differ in the last cent)",
                anchor.checked,
            )
        )
    return out


def _table() -> dict[str, Price]:
    rows = {p.item: p for p in [*_regional(), *_GLOBAL]}
    rows.update({p.item: p for p in _scaled(rows)})
    return rows


PRICES: dict[str, Price] = _table()
"""Every price the estimate uses, by item."""

CHECKED = min(p.checked for p in PRICES.values())
"""The oldest month of price data in the table: re-read the pages (the `data` files of
regional.json) and update both before relying on a figure for a purchase."""

LEFT_OUT = (
    "taxes",
    "support plans",
    "free tiers",
    "savings plans and reserved capacity",
    "the lower data-transfer rates above 10 TB a month (every GB is priced at the first tier's)",
    "container image storage and pulls (ECR)",
)
"""What the estimate does not count."""

SNS_EMAIL = (
    "the alert topics' email notifications ($2.00 per 100,000, https://aws.amazon.com/sns/pricing/, as "
    "summaries of the page give it): a few a month, while a promise is at stake; the topics cost nothing to keep"
)
"""Left out when the plan has alert topics: topics cost nothing to keep, and alarms notify rarely."""


def price(item: str, region: str) -> float | None:
    """USD per unit of `item` in `region` (or its global price), None when the table lacks it."""
    row = PRICES.get(item)
    if row is None:
        return None
    return row.usd.get(region, row.usd.get("global"))
