"""ACM: certificates and their validation: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import drop_none


@handles("aws:acm/certificate:Certificate")
def _certificate(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    acm = m.client("acm", r)
    arn = acm.request_certificate(
        DomainName=i["domainName"],
        ValidationMethod=i.get("validationMethod", "DNS"),
        **drop_none({"SubjectAlternativeNames": i.get("subjectAlternativeNames")}),
    )["CertificateArn"]
    cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    options = [
        {
            "domainName": o["DomainName"],
            "resourceRecordName": o["ResourceRecord"]["Name"],
            "resourceRecordType": o["ResourceRecord"]["Type"],
            "resourceRecordValue": o["ResourceRecord"]["Value"],
        }
        for o in cert.get("DomainValidationOptions", [])
        if o.get("ResourceRecord")
    ]
    return arn, {"arn": arn, "domainValidationOptions": options, "status": cert["Status"]}


@handles("aws:acm/certificateValidation:CertificateValidation")
def _certificate_validation(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    cert = m.client("acm", r).describe_certificate(CertificateArn=i["certificateArn"])["Certificate"]
    return f"{cert['CertificateArn']}-validation", {"certificateArn": cert["CertificateArn"]}
