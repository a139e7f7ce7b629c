"""Clean text everywhere (issue 11): no format markup in chunks, summaries or titles; code intact."""

import pytest

from library.chunking import chunk_chapter
from library.parsing import parse_book
from library.parsing.cleanup import clean_asciidoc, clean_prose
from library.tests.fixtures import make_asciidoc, make_epub, make_html, make_markdown, make_text

PROSE = "Subversion is a centralised system that many teams used before distributed version control."


@pytest.mark.parametrize(
    "dirty,clean",
    [
        ("Use <em>git svn</em> to talk to Subversion.<br/>", "Use git svn to talk to Subversion."),
        ("Tom &amp; Jerry &#8217;s &quot;cat&quot;", "Tom & Jerry ’s \"cat\""),
        ("See the [projects list](https://example.com/PROJECTS.md) first.", "See the projects list first."),
        ("A diagram ![Branches and tags](img/b.png) follows.", "A diagram Branches and tags follows."),
        ("Read [the guide][guide] twice.", "Read the guide twice."),
        ("## Getting Started", "Getting Started"),
        ("This is **very** important and *really* simple, __truly so__ and _plain_.",
         "This is very important and really simple, truly so and plain."),
        ("Run `git status` often.", "Run git status often."),
        # left alone: not markup
        ("Vec<String> and Option<T> hold; a < b > c.", "Vec<String> and Option<T> hold; a < b > c."),
        ("Call f(*args, **kwargs) with a*b*c and snake_case_names.",
         "Call f(*args, **kwargs) with a*b*c and snake_case_names."),
        # TeX maths is read as text (library.parsing.inline_math), never taken for emphasis
        ("\\(\\bar{Y}_{21}\\) and SS\\(_{tot}\\) stay.", "Y₂₁ and SS_(tot) stay."),
        ("# Workers (L) | 1 | 2 | 3", "# Workers (L) | 1 | 2 | 3"),
        ("Add [profile.*] sections; see *Cargo*.", "Add [profile.*] sections; see Cargo."),
        ("Lisp: (let ((balance 100)) balance)", "Lisp: (let ((balance 100)) balance)"),
        ("a list (you can tell from the [[1]] part)", "a list (you can tell from the [[1]] part)"),
    ],
)  # fmt: skip
def test_clean_prose(dirty, clean):
    assert clean_prose(dirty) == clean


def test_clean_asciidoc_index_terms_and_anchors():
    text = '[[_git_svn]](((git commands, svn)))(((workflows, "merging (large)"))) Use ((Subversion)) daily.'
    assert clean_prose(clean_asciidoc(text)) == "Use Subversion daily."


ADOC = (
    """= Pro Git
Scott Chacon; Ben Straub
:doctype: book
:product: Git

[[_git_svn]]
== Git and {product} Subversion (((Subversion)))

(((Subversion)))(((Interoperation with other VCSs, Subversion)))
{product} can talk to ((Subversion)) servers{nbsp}today. {undefined-attr} stays.
:not-an-attribute: inside a paragraph
"""
    + PROSE
    + """

[source,console]
----
$ git svn clone (((not an index term in code))) [[keep]] {product}
----
"""
)


def test_asciidoc_markup_never_reaches_chunks_or_titles(tmp_path):
    book = parse_book(make_asciidoc(tmp_path / "g.adoc", ADOC), "asciidoc")
    chapter = book.chapters[-1]
    assert chapter.title == "Git and Git Subversion"
    prose = chapter.blocks[0].text
    assert prose.startswith("Git can talk to Subversion servers today. {undefined-attr} stays.")
    code = chapter.blocks[-1]
    assert code.code and "(((not an index term in code))) [[keep]] {product}" in code.text
    text = " ".join(d.text for d in chunk_chapter(chapter, min_words=5, target_words=20, max_words=40))
    assert "(((" not in text.replace("(((not an index term in code)))", "")
    assert "[[_git_svn]]" not in text and ":doctype:" not in text


def test_markdown_html_epub_text_prose_is_clean(tmp_path):
    md = make_markdown(
        tmp_path / "b.md",
        "# Book\n\n## Chapter *One* & <span>More</span>\n\n"
        f"Some <b>bold</b> text &amp; a [link](http://x.org). {PROSE}\n\n"
        "```\nlet v = vec![1, 2, 3]; // *keep*\n```\n",
    )
    book = parse_book(md, "markdown")
    assert book.chapters[0].title == "Chapter One & More"
    assert book.chapters[0].blocks[0].text.startswith("Some bold text & a link.")
    assert book.chapters[0].blocks[1].code and "// *keep*" in book.chapters[0].blocks[1].text

    html = make_html(
        tmp_path / "b.html",
        "<html><body><h1>Intro &amp;amp; **Setup**</h1><p>Plain &amp;#8220;escaped&amp;#8221; "
        f"and **stars**. {PROSE}</p><pre>x = a*b*c  # **kwargs</pre></body></html>",
    )
    book = parse_book(html, "html")
    assert book.chapters[0].title == "Intro & Setup"
    assert book.chapters[0].blocks[0].text.startswith("Plain “escaped” and stars.")
    assert book.chapters[0].blocks[1].text == "x = a*b*c # **kwargs"

    epub = make_epub(tmp_path / "b.epub", [("Markets **now**", f"Prices &#8216;move&#8217; fast. {PROSE}")])
    book = parse_book(epub, "epub")
    assert book.chapters[0].title == "Markets now"
    assert book.chapters[0].blocks[0].text.startswith("Prices ‘move’ fast.")

    txt = make_text(
        tmp_path / "b.txt", f"A Book\n\nChapter 1 **Demand**\n\nWe *love* [prices](http://p.org). {PROSE}\n"
    )
    book = parse_book(txt, "text")
    assert book.chapters[-1].title == "Chapter 1 Demand"
    assert book.chapters[-1].blocks[0].text.startswith("We love prices.")
