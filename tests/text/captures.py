"""The plain-text capture of an HTML page: its visible lines, as a crawler saving its text gets them."""

from lxml import html as lxml_html

_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section"}
_BLOCKS |= {
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "blockquote",
    "main",
    "form",
    "title",
}


def visible_lines(html: bytes) -> list[str]:
    document = lxml_html.document_fromstring(html)
    for hidden in document.xpath("//script|//style|//noscript|//template|//svg|//iframe"):
        hidden.drop_tree()
    lines, current = [], []

    def flush():
        text = " ".join("".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    def walk(element):
        block = isinstance(element.tag, str) and element.tag in _BLOCKS
        if block:
            flush()
        if isinstance(element.tag, str) and element.text:
            current.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            flush()

    walk(document)
    flush()
    return lines
