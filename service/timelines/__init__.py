"""Timelines for people who audit: telling events in plain language, local times, the cache,
and the stored told timelines kept by a projector following the log."""
