"""common.pdf's shortcuts keep what a document prints: the indentation collapsed between tags,
and WeasyPrint's user-agent stylesheet with its pseudo-element rules scoped to list items and
footnotes (read back through pdftotext), and the garbage collector's threshold raised while a
document renders."""

from __future__ import annotations

import gc

import pytest

from common.pdf import RENDER_GC_THRESHOLD, _collapse_indentation, _fewer_collections, _html_class
from tests.inventory.test_purchasing_pdf import needs_pdf, pdf_text


def printed_lines(pdf: bytes) -> list[str]:
    return [" ".join(line.split()) for line in pdf_text(pdf).splitlines() if line.strip()]


def test_indentation_between_tags_collapses_to_one_line_break():
    html = '<table>\n    <tr><td class="x">\n      <b>SO001</b> <span>Mới</span>\n  </td></tr>'
    assert _collapse_indentation(html) == (
        '<table>\n<tr><td class="x">\n<b>SO001</b> <span>Mới</span>\n</td></tr>'
    )


def test_blank_lines_between_tags_are_kept():
    # a blank line prints as one in white-space: pre-line
    assert _collapse_indentation("<b>1</b>\n\n    <b>2</b>") == "<b>1</b>\n\n<b>2</b>"


def test_text_and_spaces_between_inline_tags_are_kept():
    html = "<p>Nguyễn  Thị\n   Hoa</p><b>1</b> <i>2</i>\t<i>3</i>"
    assert _collapse_indentation(html) == html


@needs_pdf
def test_list_items_keep_their_markers():
    pdf = _html_class()(string="<ul><li>Áo thun</li><li>ผ้าไหม</li></ul><ol><li>Một</li></ol>")
    assert printed_lines(pdf.write_pdf()) == ["• Áo thun", "• ผ้าไหม", "1. Một"]


@needs_pdf
def test_footnotes_marked_with_class_footnote_keep_their_call_and_marker():
    html = (
        "<style>@page { size: A6 } .footnote { float: footnote }</style>"
        '<p>Giao trong giờ hành chính<span class="footnote">Gọi trước 30 phút</span></p>'
    )
    lines = printed_lines(_html_class()(string=html).write_pdf())
    assert lines[0] == "Giao trong giờ hành chính1"
    assert lines[-1] == "1. Gọi trước 30 phút"


def test_young_collections_are_fewer_while_documents_render_and_as_before_after():
    before = gc.get_threshold()
    with _fewer_collections():
        assert gc.get_threshold() == (RENDER_GC_THRESHOLD, *before[1:])
        with _fewer_collections():  # another thread's render, ended first
            pass
        assert gc.get_threshold() == (RENDER_GC_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(ValueError, match="a render that failed"), _fewer_collections():
        raise ValueError("a render that failed")
    assert gc.get_threshold() == before
