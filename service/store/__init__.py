"""The event store underneath everything: the cipher key, the transcoder, reading streams and
PostgreSQL rows, group commit, folding events into aggregates. Imports only domain/ and the
eventsourcing library."""
