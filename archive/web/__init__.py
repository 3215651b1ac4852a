"""Journalists' pages: views, forms, feeds, charts and the JSON API."""
