"""hld blueprints: the HLD model, its loader, the planner and the availability math.

Pure Python over pydantic and PyYAML: nothing here imports Pulumi, boto3 or moto.
"""

from blueprints.loader import load, parse
from blueprints.model import Blueprint
from blueprints.plan_model import Plan
from blueprints.planner import StackSettings, plan
from blueprints.problems import BlueprintError, Problem

__all__ = ["Blueprint", "BlueprintError", "Plan", "Problem", "StackSettings", "load", "parse", "plan"]
