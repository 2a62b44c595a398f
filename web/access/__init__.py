"""Who is signed in and what they may do, at the edge: sessions and API tokens, CSRF, the
permission guards, the security headers on every answer, and OPTIONS (answered before any
guard: which methods a path has is no secret)."""
