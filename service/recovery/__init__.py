"""Recovery seen across people: the district's picture without names, and an incident's
progress on its board card."""
