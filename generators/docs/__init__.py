"""The HLD document target: HLD.md with Mermaid (and Graphviz SVG) diagrams, plan.json and, for a
plan with operations, openslo.yaml and runbooks.json."""

from generators.docs.document import diagram, document, files, svg_of

__all__ = ["diagram", "document", "files", "svg_of"]
