"""Accounting for all persons in a hold, lockdown, evacuation or shelter (docs/accounting.md)."""
