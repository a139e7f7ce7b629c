from qa.answers import asked_words


def test_a_refusal_names_the_question_s_own_words_not_search_stems():
    stems = ["black", "black-schol", "formula", "schole"]
    assert asked_words("What is the Black-Scholes formula for pricing options?", stems) == [
        "Black-Scholes",
        "formula",
    ]
    assert asked_words("How do I train a falcon?", ["falcon"]) == ["falcon"]
    assert asked_words("Why?", []) == []
