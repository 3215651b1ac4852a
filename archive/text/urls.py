"""Which URLs the archive keeps and links to: http and https with a host, nothing else."""

from urllib.parse import urlsplit

WEB_SCHEMES = {"http", "https"}


def web_url(value: str) -> str:
    """value (stripped) when it is an http(s) URL with a host, else "": javascript:, data:, relative
    and malformed URLs, and any with a space or an invisible character inside, are never kept."""
    value = value.strip()
    if not all(char.isprintable() and not char.isspace() for char in value):
        return ""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return ""
    return value if parts.scheme.lower() in WEB_SCHEMES and host else ""
