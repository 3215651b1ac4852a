"""The plain-text capture of an HTML page: its visible lines, as a crawler saving its text gets them.

The walker is the HTML cleaner's own (archive.text.html.visible_lines), so the text read as a second
witness of an HTML page and the captures the tests and the evaluation feed the text cleaner are one.
"""

from lxml import html as lxml_html

from archive.text.html import visible_lines as lines_of


def visible_lines(html: bytes) -> list[str]:
    return lines_of(lxml_html.document_fromstring(html))


def body_lines(html: bytes) -> list[str]:
    """The visible lines of the body alone, without the browser title a saved page's text may lack."""
    document = lxml_html.document_fromstring(html)
    for head in document.xpath("//head"):
        head.drop_tree()
    return lines_of(document)
