from qa.answers import asked_words


def test_a_refusal_names_the_question_s_own_words_not_search_stems():
    stems = ["black", "black-schol", "formula", "schole"]
    assert asked_words("What is the Black-Scholes formula for pricing options?", stems) == [
        "Black-Scholes",
        "formula",
    ]
    assert asked_words("How do I train a falcon?", ["falcon"]) == ["falcon"]
    assert asked_words("Why?", []) == []


def test_a_verified_source_quote_is_shown_as_the_passage_writes_it():
    from library.retrieval import SearchHit
    from qa.answers import source_for

    text = "Run git branch -v to see the last commit; the --merged option \u2014 and \u201cno-merged\u201d."
    hit = SearchHit(1, 2, "Pro Git", 3, "Git Branching", 72, 72, ["Branch Management"], text, 1.0)
    source = source_for(1, hit, 'git branch-v to see the last commit; the-merged option - and "no-merged')
    assert (
        source.verified
        and source.quote
        == "git branch -v to see the last commit; the --merged option \u2014 and \u201cno-merged"
    )
    made_up = source_for(2, hit, "git branch shows nothing")
    assert not made_up.verified and made_up.quote == "git branch shows nothing"


def test_a_refusal_says_nothing_on_a_word_only_when_the_books_never_use_it():
    from qa.answers import not_found

    # the books use "array": only the closest passages lack it
    text = not_found("Why use a linked list over an array?", [], None, ["array"], absent=[]).answer
    assert "(the closest passages say nothing on array)" in text
    text = not_found("What is the Gini coefficient?", [], None, ["coeffici"], absent=["gini"]).answer
    assert "(nothing on Gini; the closest passages say nothing on coefficient)" in text
    assert "(" not in not_found("Why?", [], None, [], absent=[]).answer


def test_an_answer_does_not_quote_the_sentence_pieces_at_a_passage_edge(monkeypatch):
    from qa import evidence
    from qa.answers import best_sentences

    class Terms:
        def idf(self, term):
            return 1.0

    monkeypatch.setattr(evidence, "key_terms", lambda terms: ["recurs", "process"])
    text = (
        "recursive procedures generate a recursive process whenever the procedure calls itself. "
        "A recursive process is characterized by a chain of deferred operations on the stack. "
        "The recursive process grows and then shrinks as the recursive"
    )
    assert best_sentences(text, Terms(), limit=1) == [
        "A recursive process is characterized by a chain of deferred operations on the stack."
    ]
