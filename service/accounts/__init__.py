"""Accounts and organisations: the commands, sign-in (passwords, tokens, the throttle), and the
record of changes to them for auditors."""
