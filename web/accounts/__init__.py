"""Accounts at the edge: the admin's JSON API and pages, the commands they share, and each
person's own API tokens."""
