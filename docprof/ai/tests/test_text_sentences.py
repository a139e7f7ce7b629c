"""Sentence splitting for the summariser and the offline engines: at sentence ends, and at the line
breaks between a passage's blocks unless the next line goes on in lower case."""

from docprof.ai.text import split_sentences


def test_sentence_ends_split_and_runs_of_space_collapse():
    assert split_sentences("  The rate  is 5%. It falls?  Yes!\t") == ["The rate is 5%.", "It falls?", "Yes!"]
    assert split_sentences(" \n\n ") == []


def test_a_glossary_or_list_splits_at_its_line_breaks():
    text = "Inflation A general rise in prices\nDeflation A general fall in prices\n3 Items on a list"
    assert split_sentences(text) == [
        "Inflation A general rise in prices",
        "Deflation A general fall in prices",
        "3 Items on a list",
    ]


def test_a_paragraph_cut_by_a_page_break_stays_one_sentence():
    assert split_sentences("The value of the\nfirm is the sum of its cash flows. Next.") == [
        "The value of the firm is the sum of its cash flows.",
        "Next.",
    ]


def test_typographic_quotes_end_and_open_sentences():
    text = 'He said “Stop.” Then he left. ‘-v’ ‘--invert-match’ Invert the match. (So "no.") Done.'
    assert split_sentences(text) == [
        "He said “Stop.”",
        "Then he left.",
        "‘-v’ ‘--invert-match’ Invert the match.",
        '(So "no.")',
        "Done.",
    ]


def test_no_sentence_ends_at_e_g_or_i_e():
    text = "Separate them with a comma, e.g. ‘-Dfoo,bar’. It works, i.e. The list is read. Next."
    assert split_sentences(text) == [
        "Separate them with a comma, e.g. ‘-Dfoo,bar’.",
        "It works, i.e. The list is read.",
        "Next.",
    ]
