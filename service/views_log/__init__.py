"""Who viewed an incident: recording each view in its own stream, and listing them for
auditors."""
