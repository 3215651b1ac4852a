from tests.text.captures import body_lines, visible_lines

HEADLINE = "وزير الخارجية يزور دمشق"
PAGE = (
    f"<html><head><title>{HEADLINE}</title><meta charset='utf-8'></head>"
    f"<body><h1>{HEADLINE}</h1><p>قال الوزير إن الزيارة تأتي في إطار التعاون.</p></body></html>"
)


def test_a_utf8_page_declaring_its_charset_after_its_title_is_read_as_utf8():
    assert visible_lines(PAGE.encode("utf-8"))[:2] == [HEADLINE, HEADLINE]


def test_a_page_in_an_arabic_code_page_is_still_read():
    page = PAGE.replace("utf-8", "windows-1256").encode("cp1256")
    assert body_lines(page)[0] == HEADLINE


def test_body_lines_leave_out_the_browser_title():
    assert body_lines(PAGE.encode("utf-8")) == [HEADLINE, "قال الوزير إن الزيارة تأتي في إطار التعاون."]
