"""Incentive plans (YAML that finance reads) and the tables dbt computes rep and retailer incentives from.

`plan` reads and checks a plan file; `store` writes it as `derived/incentive_*` tables before every dbt build.
"""
