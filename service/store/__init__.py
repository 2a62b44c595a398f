"""The event store underneath everything: the cipher key, the transcoder, reading streams and
PostgreSQL rows, group commit, folding events into aggregates, and the retry-on-conflict policy
of every command. Imports only domain/ and the eventsourcing library."""
