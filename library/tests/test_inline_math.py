"""TeX maths in prose (MathJax books) reaches passages and titles as the text it reads as."""

import pytest

from library.parsing import parse_book
from library.parsing.inline_math import plain_inline_math
from library.tests.fixtures import LOREM, make_html


@pytest.mark.parametrize(
    "tex, plain",
    [
        (r"we can define the \(p\)-value as", "we can define the p-value as"),
        (r"The \(\chi^2\) test of independence", "The χ² test of independence"),
        (r"the usual choice of \(\alpha = .05\), so", "the usual choice of α = .05, so"),
        (r"\(H_0\) and \(H_1\)", "H₀ and H₁"),
        (r"\(\frac{\sum_{i=1}^N X_i}{N}\)", "(Σ_(i=1)^N X_i)/N"),
        (r"\[ s = \sqrt{\frac{1}{N} \sum (X_i - \bar{X})^2} \]", "s = √(1/N Σ (X_i - X)²)"),
        (r"\(\hat\mu\) and \(x^\prime\)", "μ and x′"),
        (r"\(\mbox{SS}_w\) and \(e^{-x}\)", "SS_w and e^(-x)"),
        (r"\(\unknowncommand{x}\)", "unknowncommand x"),
        (r"an unclosed \( stays", r"an unclosed \( stays"),
        ("no maths at all", "no maths at all"),
    ],
)
def test_tex_maths_reads_as_plain_text(tex, plain):
    assert plain_inline_math(tex) == plain


def test_a_mathjax_book_is_searchable_by_the_words_it_reads_as(tmp_path):
    html = make_html(
        tmp_path / "stats.html",
        r"<html><body><h1>The \(t\)-test</h1><p>We can define the \(p\)-value as the probability of a "
        rf"result at least as extreme, and reject when it is below \(\alpha\). {LOREM}</p>"
        r"<pre>x &lt;- c(1, 2) # \(not maths in code\)</pre></body></html>",
    )
    chapter = parse_book(html, "html").chapters[0]
    assert chapter.title == "The t-test"
    assert chapter.blocks[0].text.startswith("We can define the p-value as the probability")
    assert "below α." in chapter.blocks[0].text
    assert chapter.blocks[1].code and r"\(not maths in code\)" in chapter.blocks[1].text
