"""Accounting pages (filled in below)."""

ACCOUNTING_PAGES: list[object] = []
