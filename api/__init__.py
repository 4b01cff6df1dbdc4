"""The REST API under /api/ (token authentication, JSON in and out, errors included).

One module per resource (`offers`, `demands`, `matches`), the shapes in `serializers`, the
demand filters in `filters`, what every endpoint shares in `base`, `schema` and `errors`.
Every list reads through the owning app's selectors and every access through
`accounts.permissions`: the API holds no query or rule of its own.
"""
