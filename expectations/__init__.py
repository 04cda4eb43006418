"""Data hygiene with Great Expectations: one suite per source kind, run on each load's frames before commit.

`expectations.suites.<kind>` holds the suites as reviewable code, `expectations.runner` validates a load,
`expectations.docs` renders the stored results (`raw/_validations`) as a static site.
"""
