"""Ingest: files in the inbox become rows in the raw lake, each one loaded or quarantined with a reason.

No Dagster here: orchestration discovers source kinds through `ingest.registry`.
"""
