"""Machinery shared by every source kind: file safety, grids, headers, values, the lake and the ledger."""
