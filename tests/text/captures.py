"""The plain-text capture of an HTML page: its visible lines, as a crawler saving its text gets them.

The walker is the HTML cleaner's own (archive.text.html.visible_lines), so the text read as a second
witness of an HTML page and the captures the tests and the evaluation feed the text cleaner are one.
"""

from lxml import html as lxml_html

from archive.text.article import NotAnArticle
from archive.text.encoding import decode
from archive.text.html import visible_lines as lines_of


def _document(html: bytes):
    """The page decoded as a browser would before parsing: libxml2 alone reads a UTF-8 page whose
    <meta charset> comes after its <title> as Latin-1, and its text as mojibake."""
    try:
        return lxml_html.document_fromstring(decode(html)[0])
    except (NotAnArticle, ValueError):
        return lxml_html.document_fromstring(html)


def visible_lines(html: bytes) -> list[str]:
    return lines_of(_document(html))


def body_lines(html: bytes) -> list[str]:
    """The visible lines of the body alone, without the browser title a saved page's text may lack."""
    document = _document(html)
    for head in document.xpath("//head"):
        head.drop_tree()
    return lines_of(document)
