"""Pad a qa_eval database with shared copies of the corpus books up to N passages (latency at
scale; copies make recall meaningless, so a padded run reports latency only). SQL copies of the
chapters and passages (vectors included), then the product's index_book for each copy."""

from __future__ import annotations

import time


def pad_library(target: int, log=print) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from library.models import Book, Chunk
    from library.search_index import index_book

    user, _ = get_user_model().objects.get_or_create(username="qa-pad")
    sources = list(Book.objects.filter(owner__username="qa-eval", status=Book.Status.READY).order_by("id"))
    copies = Book.objects.filter(owner=user).count()
    start = time.perf_counter()
    while Chunk.objects.count() < target:
        src = sources[copies % len(sources)]
        copies += 1
        book = Book.objects.create(
            owner=user,
            visibility=Book.Visibility.SHARED,
            status=Book.Status.READY,
            title=f"{src.title} (copy {copies})",
            format=src.format,
            original_filename=f"pad-{copies}-{src.original_filename}",
            file=src.file.name,
            sha256=f"{copies:064x}",
            pages=src.pages,
            word_count=src.word_count,
        )
        with connection.cursor() as c:
            c.execute(
                'INSERT INTO library_chapter (book_id, "order", title, heading_path, page_start, page_end, '
                'word_count, summary, embedding, embedder) SELECT %s, "order", title, heading_path, '
                "page_start, page_end, word_count, summary, embedding, embedder FROM library_chapter "
                "WHERE book_id = %s",
                [book.pk, src.pk],
            )
            c.execute(
                "INSERT INTO library_chunk (book_id, chapter_id, ordinal, text, heading_path, headings, "
                "page_start, page_end, word_count, embedding, embedder) SELECT %s, nc.id, c.ordinal, c.text, "
                "c.heading_path, c.headings, c.page_start, c.page_end, c.word_count, c.embedding, c.embedder "
                "FROM library_chunk c JOIN library_chapter oc ON oc.id = c.chapter_id "
                'JOIN library_chapter nc ON nc.book_id = %s AND nc."order" = oc."order" WHERE c.book_id = %s',
                [book.pk, book.pk, src.pk],
            )
        index_book(book.pk)
        log(
            f"padded with {book.title}: {Chunk.objects.count():,} passages "
            f"({time.perf_counter() - start:.0f} s)"
        )
    with connection.cursor() as c:
        c.execute("ANALYZE library_chunk")
    return copies
