"""The playbook library at the edge: its JSON API and its pages. Reads only; imports
web/rendering.py for the pages, no other slice."""
