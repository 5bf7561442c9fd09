"""Benchmark: a large, realistic dataset, gunicorn on PostgreSQL, and load from a second process."""
