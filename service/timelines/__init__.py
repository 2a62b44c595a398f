"""Timelines for people who audit: telling events in plain language, local times, the cache,
and the stored told timelines (their reader/writer, SQL dialects and sealed columns) kept by a
projector following the log."""
