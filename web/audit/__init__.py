"""The auditor's surfaces: timelines, replay, the after-action report, the log of who viewed an
incident, and noting each view."""
