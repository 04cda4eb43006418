"""Retry policy for steps whose failures can be transient (a file system hiccup, a lock held a moment too long).

Only idempotent steps get it: ingest (a file's load commits with its ledger row, or not at all), the outlet master
(rewrites its current files atomically) and the publish (an atomic rename). The dbt build is not retried: its
usual failure is a failing test, which a retry would only repeat.
"""

from dagster import Backoff, RetryPolicy

TRANSIENT_RETRY = RetryPolicy(max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL)
