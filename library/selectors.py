"""Reads for the library: what a user may see."""

from django.db.models import Count

from library.models import Book, Chapter, Chunk


def readable_books(user):
    return Book.objects.readable_by(user)


def ready_book_ids(user) -> list[int]:
    return list(readable_books(user).filter(status=Book.Status.READY).values_list("id", flat=True))


def ready_books(user) -> list[tuple[int, str]]:
    """(id, title) of the ready books the user may read, in `ready_book_ids`'s order."""
    return list(readable_books(user).filter(status=Book.Status.READY).values_list("id", "title"))


def books_for_listing(user):
    return (
        readable_books(user)
        .select_related("owner")
        .annotate(chapter_count=Count("chapters", distinct=True))
        .order_by("-created_at", "-id")
    )


def book_authors(book_ids) -> dict[int, str]:
    """The authors line of each book, by id ("" when unknown)."""
    return dict(Book.objects.filter(pk__in=list(book_ids)).values_list("id", "authors"))


def book_chapters(book: Book):
    return Chapter.objects.filter(book=book).order_by("order")


def chapter_rows(chapter_ids) -> dict[int, dict]:
    """Chapters by id, as plain dicts with their book and the book's chapter count."""
    rows = list(Chapter.objects.filter(id__in=list(chapter_ids)).select_related("book"))
    counts = dict(
        Chapter.objects.filter(book_id__in={c.book_id for c in rows})
        .values("book_id")
        .annotate(n=Count("id"))
        .values_list("book_id", "n")
    )
    return {
        c.id: {
            "chapter_id": c.id,
            "book_id": c.book_id,
            "book_title": c.book.title,
            "title": c.title,
            "summary": c.summary,
            "page_start": c.page_start,
            "page_end": c.page_end,
            "order": c.order,
            "chapter_count": counts[c.book_id],
        }
        for c in rows
    }


def source_rows(chunk_ids) -> dict[int, dict]:
    """Where each passage comes from: book, chapter and pages."""
    rows = (
        Chunk.objects.filter(id__in=list(chunk_ids))
        .select_related("book", "chapter")
        .only("id", "page_start", "page_end", "book__id", "book__title", "chapter__id", "chapter__title")
    )
    return {
        c.id: {
            "book_id": c.book_id,
            "book_title": c.book.title,
            "chapter_id": c.chapter_id,
            "chapter": c.chapter.title,
            "page_start": c.page_start,
            "page_end": c.page_end,
        }
        for c in rows
    }
