"""Dagster code location for Sellthrough: `orchestration.definitions:defs`."""
