"""The Sellthrough dashboard (Streamlit): this morning's published marts, from the national total to one outlet.

`sellthrough dashboard` (or `make dashboard`) runs `dashboard/app.py` on the published warehouse, read-only.
"""
