"""Assets by layer: ingest (from the registry), dbt (staging, intermediate, marts), publish."""
