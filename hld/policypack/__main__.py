"""Entry point of the pack folder (PulumiPolicy.yaml: runtime python)."""

from hld.policypack import main

main()
