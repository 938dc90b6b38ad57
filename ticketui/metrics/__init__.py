"""Prometheus metrics: upstream calls and login failures counted where they happen, and the
state of the queue, the audit trail, the sync and the breaker read at each scrape."""
