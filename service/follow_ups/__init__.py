"""Follow-ups: plans of check-ins per person and incident (commands), and who has what due (due)."""
