"""Data hygiene with Great Expectations: one suite per source kind, run on each load's frames before commit.

`expectations.suites.<kind>` holds the suites as reviewable code (each kind's `SourceKind.suite` names its module),
`expectations.runner` validates a load (`GE_VALIDATOR`, which the callers above ingest pass to it),
`expectations.docs` renders the stored results (`raw/_validations`) as a static site.
"""
