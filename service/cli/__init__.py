"""The `steady` command's service commands and how their answers read in a terminal. The web
layer adds `serve` on top (web/cli.py), so nothing here imports web/."""
