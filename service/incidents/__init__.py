"""Incidents: the commands and queries (application.py), idempotency receipts, the board read
model, diffs, exports and integrity checks, and incidents as JSON. May import store/,
timelines/, live/ and sharing/."""
