"""Arabic search: Whoosh analyzers, the haystack backend subclass and query parsing."""
