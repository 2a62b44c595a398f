"""Incidents: the application (application.py) composed of the commands (commands.py), how they
run (execution.py: typed options, idempotency receipts, retries; conflicts.py) and the queries
(queries.py); the board read model, diffs, exports and integrity checks, and incidents as JSON.
May import store/, timelines/, live/ and sharing/."""
