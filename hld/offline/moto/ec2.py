"""EC2 and VPC: networks, subnets, gateways, routes, peering, security groups and their rules: the calls pulumi-aws makes, made in moto."""

from __future__ import annotations

from typing import Any

from hld.offline.cloud import ACCOUNT
from hld.offline.moto.mocks import MotoMocks, handles
from hld.offline.moto.shapes import tag_spec


@handles("aws:ec2/vpc:Vpc")
def _vpc(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    vpc = ec2.create_vpc(CidrBlock=i["cidrBlock"], TagSpecifications=tag_spec("vpc", i.get("tags")))["Vpc"]
    vid = vpc["VpcId"]
    for attr in ("enableDnsSupport", "enableDnsHostnames"):
        if attr in i:
            ec2.modify_vpc_attribute(VpcId=vid, **{attr[:1].upper() + attr[1:]: {"Value": bool(i[attr])}})
    return vid, {"arn": f"arn:aws:ec2:{r}:{ACCOUNT}:vpc/{vid}", "cidrBlock": vpc["CidrBlock"]}


@handles("aws:ec2/subnet:Subnet")
def _subnet(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    subnet = ec2.create_subnet(
        VpcId=i["vpcId"],
        CidrBlock=i["cidrBlock"],
        **({"AvailabilityZone": i["availabilityZone"]} if i.get("availabilityZone") else {}),
        TagSpecifications=tag_spec("subnet", i.get("tags")),
    )["Subnet"]
    sid = subnet["SubnetId"]
    read = dict(subnet)  # what AWS placed: the zone comes from the response, not the inputs
    if i.get("mapPublicIpOnLaunch"):
        ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
        read["MapPublicIpOnLaunch"] = True
    return sid, {
        "arn": read.get("SubnetArn", f"arn:aws:ec2:{r}:{ACCOUNT}:subnet/{sid}"),
        "availabilityZone": read["AvailabilityZone"],
        "availabilityZoneId": read.get("AvailabilityZoneId", ""),
        "cidrBlock": read["CidrBlock"],
        "mapPublicIpOnLaunch": read.get("MapPublicIpOnLaunch", False),
    }


@handles("aws:ec2/internetGateway:InternetGateway")
def _igw(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    gid = ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", i.get("tags")))["InternetGateway"][
        "InternetGatewayId"
    ]
    if i.get("vpcId"):
        ec2.attach_internet_gateway(InternetGatewayId=gid, VpcId=i["vpcId"])
    return gid, {"arn": f"arn:aws:ec2:{r}:{ACCOUNT}:internet-gateway/{gid}"}


@handles("aws:ec2/eip:Eip")
def _eip(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("ec2", r).allocate_address(Domain=i.get("domain", "vpc"))
    return out["AllocationId"], {"allocationId": out["AllocationId"], "publicIp": out["PublicIp"]}


@handles("aws:ec2/natGateway:NatGateway")
def _nat(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    nat = m.client("ec2", r).create_nat_gateway(SubnetId=i["subnetId"], AllocationId=i["allocationId"])["NatGateway"]
    return nat["NatGatewayId"], {"subnetId": nat["SubnetId"]}


@handles("aws:ec2/routeTable:RouteTable")
def _route_table(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    tid = ec2.create_route_table(VpcId=i["vpcId"], TagSpecifications=tag_spec("route-table", i.get("tags")))[
        "RouteTable"
    ]["RouteTableId"]
    for route in i.get("routes") or []:
        ec2.create_route(RouteTableId=tid, **_route_target(route))
    return tid, {"arn": f"arn:aws:ec2:{r}:{ACCOUNT}:route-table/{tid}"}


def _route_target(route: dict[str, Any]) -> dict[str, Any]:
    keys = {
        "cidrBlock": "DestinationCidrBlock",
        "destinationCidrBlock": "DestinationCidrBlock",
        "gatewayId": "GatewayId",
        "natGatewayId": "NatGatewayId",
        "vpcPeeringConnectionId": "VpcPeeringConnectionId",
    }
    return {api: route[k] for k, api in keys.items() if route.get(k)}


@handles("aws:ec2/route:Route")
def _route(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    m.client("ec2", r).create_route(RouteTableId=i["routeTableId"], **_route_target(i))
    return f"r-{i['routeTableId']}{abs(hash(i.get('destinationCidrBlock'))) % 10**9}", {}


@handles("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _rta(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("ec2", r).associate_route_table(SubnetId=i["subnetId"], RouteTableId=i["routeTableId"])
    return out["AssociationId"], {}


@handles("aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
def _peering(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    pcx = m.client("ec2", r).create_vpc_peering_connection(
        VpcId=i["vpcId"],
        PeerVpcId=i["peerVpcId"],
        **({"PeerRegion": i["peerRegion"]} if i.get("peerRegion") else {}),
        TagSpecifications=tag_spec("vpc-peering-connection", i.get("tags")),
    )["VpcPeeringConnection"]
    return pcx["VpcPeeringConnectionId"], {"acceptStatus": pcx["Status"]["Code"]}


@handles("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter")
def _peering_accept(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    pcx = m.client("ec2", r).accept_vpc_peering_connection(VpcPeeringConnectionId=i["vpcPeeringConnectionId"])[
        "VpcPeeringConnection"
    ]
    return pcx["VpcPeeringConnectionId"], {"acceptStatus": pcx["Status"]["Code"]}


@handles("aws:ec2/securityGroup:SecurityGroup")
def _security_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    ec2 = m.client("ec2", r)
    gid = ec2.create_security_group(
        GroupName=i["name"],
        Description=i.get("description") or "Managed by Pulumi",
        VpcId=i["vpcId"],
        TagSpecifications=tag_spec("security-group", i.get("tags")),
    )["GroupId"]
    # as the provider does: a group declared without egress rules keeps none of AWS's default one
    ec2.revoke_security_group_egress(
        GroupId=gid, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    return gid, {"arn": f"arn:aws:ec2:{r}:{ACCOUNT}:security-group/{gid}", "name": i.get("name") or gid}


def _permission(i: dict[str, Any]) -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": i["ipProtocol"]}
    if i.get("fromPort") is not None:
        perm |= {"FromPort": int(i["fromPort"]), "ToPort": int(i["toPort"])}
    if i.get("referencedSecurityGroupId"):
        perm["UserIdGroupPairs"] = [
            {"GroupId": i["referencedSecurityGroupId"], "Description": i.get("description", "")}
        ]
    if i.get("cidrIpv4"):
        perm["IpRanges"] = [{"CidrIp": i["cidrIpv4"], "Description": i.get("description", "")}]
    return perm


@handles("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def _ingress(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("ec2", r).authorize_security_group_ingress(
        GroupId=i["securityGroupId"], IpPermissions=[_permission(i)]
    )
    rule = out["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    return rule, {"securityGroupRuleId": rule, "arn": f"arn:aws:ec2:{r}:{ACCOUNT}:security-group-rule/{rule}"}


@handles("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def _egress(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("ec2", r).authorize_security_group_egress(
        GroupId=i["securityGroupId"], IpPermissions=[_permission(i)]
    )
    rule = out["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    return rule, {"securityGroupRuleId": rule, "arn": f"arn:aws:ec2:{r}:{ACCOUNT}:security-group-rule/{rule}"}


@handles("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
def _default_security_group(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    """The provider adopts the VPC's default group and removes every rule it holds."""
    ec2 = m.client("ec2", r)
    [group] = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [i["vpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    if group["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    [after] = ec2.describe_security_groups(GroupIds=[group["GroupId"]])["SecurityGroups"]
    return group["GroupId"], {
        "arn": f"arn:aws:ec2:{r}:{group['OwnerId']}:security-group/{group['GroupId']}",
        "ingress": after["IpPermissions"],
        "egress": after["IpPermissionsEgress"],
        "name": "default",
    }


@handles("aws:ec2/flowLog:FlowLog")
def _flow_log(m: MotoMocks, name: str, i: dict[str, Any], r: str) -> tuple[str, dict[str, Any]]:
    out = m.client("ec2", r).create_flow_logs(
        ResourceIds=[i["vpcId"]],
        ResourceType="VPC",
        TrafficType=i.get("trafficType", "ALL"),
        LogDestinationType=i.get("logDestinationType", "cloud-watch-logs"),
        LogDestination=i["logDestination"],
        DeliverLogsPermissionArn=i["iamRoleArn"],
    )
    if out.get("Unsuccessful"):
        raise ValueError(f"flow log refused: {out['Unsuccessful']}")
    return out["FlowLogIds"][0], {"arn": f"arn:aws:ec2:{r}:123456789012:vpc-flow-log/{out['FlowLogIds'][0]}"}
