"""When an order becomes known, on when `NetworkConfig.orders_booked_ahead` is set (off by default: the demo and
tiny networks are unchanged).

The base simulation bills every retailer order on the day it is placed, so nothing about a day's demand is known
before that day. In Indian distribution much of it is: a modern-trade store's purchase order carries a delivery
date days ahead, an e-commerce dark store's replenishment order a day or few ahead, and a general-trade salesman who
pre-sells on the beat books orders that the distributor's van delivers the next day. This module draws, for each
order the demand pass made (its lines, its day, its outlet's channel), the day it was booked; the orders, their days
and the stock are untouched (a separate random stream), so the world simulated is the same, only what an order book
(a DMS or SFA export of open orders) would show on a day is added. Assumed shares, no published figure at hand:

- MT: BOOKED_SHARE["MT"] of orders are purchase orders booked 2-5 days before their delivery day; the rest are
  top-ups placed and billed the same day.
- ECOM: BOOKED_SHARE["ECOM"] booked 1-3 days ahead.
- GT: BOOKED_SHARE["GT"] pre-sold the day before (order taken on the beat, delivered by the van the next day); the
  rest are ready-stock or counter sales, known only when billed.
"""

from __future__ import annotations

from datetime import date, timedelta

from generator.masters import Network

BOOKED_SHARE = {"MT": 0.9, "ECOM": 0.9, "GT": 0.5}
BOOKED_DAYS = {"MT": (2, 5), "ECOM": (1, 3), "GT": (1, 1)}

# distributor, SKU, the day the order was booked, the day it is due (billed), units ordered
BookedLine = tuple[str, str, date, date, int]
# (distributor, day index, the order's place among the day's orders) -> the day it was booked
BookedDays = dict[tuple[str, int, int], date]


def booked_days(network: Network, demand: dict[str, list[list[tuple[str, list[tuple[str, int]]]]]]) -> BookedDays:
    """The orders booked before the day they are billed, each with its booking day (a same-day order has none)."""
    config = network.config
    if not getattr(config, "orders_booked_ahead", False):
        return {}
    rng = config.rng("order_book")
    dates = config.dates()
    out: BookedDays = {}
    for distributor in network.distributors:
        for t, orders in enumerate(demand[distributor.code]):
            for i, (billed, _) in enumerate(orders):
                outlet = network.outlet_by_code.get(billed)
                channel = outlet.channel if outlet is not None else "GT"
                if rng.random() >= BOOKED_SHARE.get(channel, 0.0):
                    continue
                out[(distributor.code, t, i)] = dates[t] - timedelta(days=rng.randint(*BOOKED_DAYS[channel]))
    return out


def booked_orders(
    network: Network, demand: dict[str, list[list[tuple[str, list[tuple[str, int]]]]]]
) -> list[BookedLine]:
    """The order lines booked before the day they are billed: one row per line (a same-day order has none)."""
    dates = network.config.dates()
    out: list[BookedLine] = []
    for (code, t, i), booked_on in booked_days(network, demand).items():
        out += [(code, sku, booked_on, dates[t], units) for sku, units in demand[code][t][i][1] if units > 0]
    return out
