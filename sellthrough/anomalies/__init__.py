"""Sales anomaly detection (issue 16): dips, spikes, sustained drops, post-scheme drops and distributors whose
sales stop while the brand keeps billing them, from daily sales series (`detect.py`), for dbt's
`fct_sales_anomalies` (the Python model `int_sales_anomalies__detected`) and the nightly alert (`alerts.py`)."""
