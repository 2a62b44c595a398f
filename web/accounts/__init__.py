"""Accounts at the edge: the admin's JSON API (api.py), the accounts page (pages.py) and one
account's page (account_page.py), what those pages share (forms.py), the commands the API and
the pages share (commands.py), and each person's own API tokens (my_tokens.py). It may import
domain/, service/ and the web layer's own modules (auth, guards, errors, the page toolkit)."""
