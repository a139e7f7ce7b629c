"""Chunking: sizes within bounds, never across chapters, page ranges kept, text preserved in order."""

from hypothesis import given, settings
from hypothesis import strategies as st

from library.chunking import chunk_chapter, split_sentences
from library.parsing.base import Block, ParsedChapter


def words(n: int, prefix: str = "w") -> str:
    return " ".join(f"{prefix}{i}" for i in range(n))


def sentences(n_sentences: int, per_sentence: int = 20) -> str:
    return " ".join(f"Sentence {i} " + words(per_sentence - 3) + " ends." for i in range(n_sentences))


def chapter(*blocks: Block, title: str = "Chapter") -> ParsedChapter:
    return ParsedChapter(title=title, heading_path=[title], blocks=list(blocks))


def test_small_blocks_are_merged_up_to_target():
    ch = chapter(*[Block(words(50, f"b{i}_"), page=i // 4 + 1, heading_path=["C"]) for i in range(20)])
    chunks = chunk_chapter(ch)
    assert all(150 <= c.word_count <= 400 for c in chunks)
    assert sum(c.word_count for c in chunks) == 1000
    assert chunks[0].page_start == 1
    assert chunks[-1].page_end == 5


def test_long_paragraph_is_split_at_sentences():
    text = sentences(60)  # 1,200 words in 20-word sentences
    chunks = chunk_chapter(chapter(Block(text, page=7, heading_path=["C", "S"])))
    assert len(chunks) >= 3
    assert all(c.word_count <= 400 for c in chunks)
    assert all(c.text.endswith("ends.") for c in chunks)
    assert all(c.page_start == c.page_end == 7 for c in chunks)
    assert all(c.heading_path == ["C", "S"] for c in chunks)


def test_huge_sentence_is_hard_split():
    chunks = chunk_chapter(chapter(Block(words(1000), page=1, heading_path=[])))
    assert [c.word_count for c in chunks] == [400, 400, 200]
    assert " ".join(c.text for c in chunks) == words(1000)


def test_short_tail_joins_previous_chunk():
    ch = chapter(Block(words(300, "a"), page=1), Block(words(50, "b"), page=2))
    chunks = chunk_chapter(ch)
    assert len(chunks) == 1
    assert chunks[0].word_count == 350
    assert (chunks[0].page_start, chunks[0].page_end) == (1, 2)


def test_short_tail_is_kept_when_merging_would_exceed_max():
    ch = chapter(Block(words(390, "a"), page=1), Block(words(50, "b"), page=2))
    chunks = chunk_chapter(ch)
    assert [c.word_count for c in chunks] == [390, 50]


def test_heading_path_is_the_first_blocks():
    ch = chapter(
        Block(words(100, "a"), page=1, heading_path=["C", "First"]),
        Block(words(100, "b"), page=1, heading_path=["C", "Second"]),
    )
    chunks = chunk_chapter(ch)
    assert len(chunks) == 1 and chunks[0].heading_path == ["C", "First"]


def test_blocks_stay_on_separate_lines_and_pieces_of_one_block_on_one():
    glossary = [Block(f"Term{i} a short definition without a full stop", page=1) for i in range(20)]
    chunks = chunk_chapter(chapter(*glossary))
    assert len(chunks) == 1
    assert chunks[0].text.split("\n") == [b.text for b in glossary]
    long = chunk_chapter(chapter(Block(sentences(60), page=1)))
    assert all("\n" not in c.text for c in long)


def test_chunks_never_cross_chapters():
    chapters = [chapter(Block(words(120, f"c{i}_"), page=i + 1), title=f"Ch {i}") for i in range(3)]
    per_chapter = [chunk_chapter(ch) for ch in chapters]
    for i, chunks in enumerate(per_chapter):
        assert len(chunks) == 1
        assert chunks[0].text.startswith(f"c{i}_0")
        assert chunks[0].page_start == chunks[0].page_end == i + 1


def test_whitespace_is_normalised_and_empty_blocks_skipped():
    ch = chapter(Block("  spaced\n\n out \t text  ", page=1), Block("   ", page=2))
    chunks = chunk_chapter(ch)
    assert [c.text for c in chunks] == ["spaced out text"]
    assert chunks[0].page_end == 1


def test_empty_chapter_gives_no_chunks():
    assert chunk_chapter(chapter()) == []


def test_split_sentences():
    assert split_sentences('He said "Stop." Then 3 people left! Why? e.g. this') == [
        'He said "Stop."',
        "Then 3 people left!",
        "Why? e.g. this",
    ]


_word = st.text(alphabet="abcdefgh.!?XYZ", min_size=1, max_size=12)
_block_text = st.lists(_word, min_size=0, max_size=600).map(" ".join)
_blocks = st.lists(
    st.builds(
        Block,
        text=_block_text,
        page=st.one_of(st.none(), st.integers(1, 50)),
        heading_path=st.lists(st.sampled_from(["A", "B", "C"]), max_size=3),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(blocks=_blocks)
def test_property_bounds_order_and_no_empty_chunks(blocks):
    ch = chapter(*blocks)
    chunks = chunk_chapter(ch)
    expected = [w for b in blocks for w in b.text.split()]
    assert [w for c in chunks for w in c.text.split()] == expected
    for c in chunks:
        assert c.text and c.word_count == len(c.text.split())
        assert c.word_count <= 400
        if c.page_start is not None:
            assert c.page_start <= c.page_end
    # all chunks but possibly the last reach the minimum unless a max-sized neighbour prevented merging
    pages = [b.page for b in blocks if b.page is not None and b.text.split()]
    if pages:
        assert min(c.page_start for c in chunks if c.page_start) == min(pages)
        assert max(c.page_end for c in chunks if c.page_end) == max(pages)
