"""Pulumi entry point (Pulumi.yaml: main: stacks/). See hld/stack.py for the config keys."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hld.stack import main

main()
