"""Targets: translate a Plan, and only a Plan, into AWS resources, Kubernetes objects or documents."""
