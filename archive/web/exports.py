"""A search's results, every page of them, as CSV streamed row by row (Excel reads it thanks to the BOM).

The rows are archive.search.exports'; this module only writes them. An export stops after
ARCHIVE_EXPORT_MAX_ROWS articles (a setting, 10,000 unless set) and then says so in a last row. Every
cell is neutralised against formula injection, as OWASP advises.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.conf import settings

from archive.search.exports import export_rows
from archive.search.service import SearchRequest

COLUMNS = ["id", "title", "source", "published", "url", "permalink"]
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def max_rows() -> int:
    return settings.ARCHIVE_EXPORT_MAX_ROWS


def neutralised(value) -> str:
    """The cell as text a spreadsheet shows as written: a would-be formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_rows(rows: Iterable[list]) -> Iterator[list[str]]:
    for row in rows:
        yield [neutralised(value) for value in row]


class Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value):
        return value


def csv_lines(request: SearchRequest, permalink: Callable[[int], str]) -> Iterator[str]:
    """The export's lines (permalink: an article id's absolute URL); past the row cap, one last row says
    the export was cut and where."""
    writer = csv.writer(Echo())
    limit = max_rows()
    yield "\ufeff" + writer.writerow(COLUMNS)
    for n, row in enumerate(islice(export_rows(request), limit + 1)):
        if n == limit:
            yield writer.writerow(
                ["", f"[cut: only the first {limit} articles are exported; narrow the search]"]
            )
            return
        cells = [row.id, row.title, row.source, row.published, row.url, permalink(row.id)]
        yield writer.writerow([neutralised(value) for value in cells])
