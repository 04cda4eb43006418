"""Deterministic sample network: a brand, its distributors' files in six layouts, and the truth behind them.

    from generator import NetworkConfig, generate
    summary = generate(Path("data"), NetworkConfig(seed=42))

Modules: `config` (knobs), `reference` (geography, products, names), `masters` (master data), `problems`
(planted business problems), `simulate` (daily dynamics), `layouts` (the six sales-register writers),
`faults` (planted file faults), `sales_files` (distributor files), `monthly` (ERP, stock statements, claims),
`files` (deterministic bytes, mtimes), `truth` (truth/), `build` (`generate`).
"""

from generator.build import generate
from generator.config import NetworkConfig

__all__ = ["NetworkConfig", "generate"]
