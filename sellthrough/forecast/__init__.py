"""Weekly sales forecasts and stock-out prediction (issue 16, part A).

`series` builds complete weekly series from the daily stock ledger; `events` turns the festival calendar and the
scheme master into weekly multipliers learnt from history; `models` fits one statistical model per series
(statsforecast: AutoETS, TSB for intermittent demand); `hierarchy` forecasts every level bottom-up;
`stockout` turns the forecast, the stock on hand and the goods in transit into a probability of running out,
an expected date and a suggested order. The dbt Python models under dbt_project/models/forecast call these.
"""
