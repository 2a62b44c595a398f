"""Accounts and organisations: Accounts (service.py) composed of the commands, the queries and
sign-in (passwords, API tokens, the throttle and its refusals), and the record of changes to
them for auditors."""
