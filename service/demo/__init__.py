"""The demo district: its organisations, accounts and incidents, seeded through the same
commands the people use."""
