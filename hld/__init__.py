"""hld: turn a high-level design into infrastructure you can deploy and test offline."""

__version__ = "0.1.0"
