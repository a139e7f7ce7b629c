"""Stemming from many threads at once gives the same stems as one thread (snowballstemmer's
stemmer objects are not thread-safe: each thread has its own)."""

import threading

from docprof.ai import text

WORDS = [
    f"{stem}{suffix}"
    for stem in ("connect", "valu", "discount", "amort", "gener")
    for suffix in (
        "ing",
        "ed",
        "ation",
        "ations",
        "ingly",
        "er",
        "ers",
        "ness",
        "ful",
        "fully",
        "izing",
        "ized",
    )
]


def test_stemming_from_many_threads_matches_one_thread():
    text.stem.cache_clear()
    expected = {w: text._stemmer().stemWord(w) for w in WORDS}
    errors, results = [], []

    def work(offset: int):
        try:
            for round_ in range(200):
                for w in WORDS[offset:] + WORDS[:offset]:
                    results.append((w, text._stemmer().stemWord(w + "s" * (round_ % 2)).rstrip("s")))
                    assert text.stem(w) == expected[w]
        except Exception as exc:  # an IndexError inside the stemmer was the original symptom
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_each_thread_has_its_own_stemmer():
    stemmers, barrier = [], threading.Barrier(4)

    def grab():
        stemmers.append(text._stemmer())
        barrier.wait()  # all four threads alive at once, so their objects are distinct

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in stemmers}) == 4


def test_the_stemmer_is_snowballs_c_backend_with_the_same_stems():
    # PyStemmer (requirements.txt) is what snowballstemmer uses when installed: ~12x faster on the
    # words the stem cache has not seen (a new book, the first questions after a start)
    from snowballstemmer.english_stemmer import EnglishStemmer

    assert type(text._stemmer()).__module__ == "Stemmer"
    pure = EnglishStemmer()
    assert [text._stemmer().stemWord(w) for w in WORDS] == [pure.stemWord(w) for w in WORDS]
