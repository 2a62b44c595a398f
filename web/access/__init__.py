"""Who is signed in and what they may do, at the edge: sessions and API tokens, CSRF, the
permission guards, and the security headers on every answer."""
