"""My work and the district summary: the pages and the API."""
