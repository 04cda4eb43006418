"""Sellthrough: secondary-sales data warehouse for consumer-goods brands."""

__version__ = "0.1.0"
