"""Reads for the library: what a user may see."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count

from docprof.prepared import Prepared
from library.models import Book, Chapter, Chunk


def readable_books(user):
    return Book.objects.readable_by(user)


def _ready_books(user_id):
    reader = get_user_model()(pk=user_id)  # readable_by's rule, compiled once
    return readable_books(reader).filter(status=Book.Status.READY).values_list("id", "title")


# Read by every question and course request: a prepared query (docprof/prepared.py), not an ORM
# queryset built and compiled each time (~0.6 ms of CPU).
_READY_BOOKS = Prepared(_ready_books, user_id=0)


def ready_book_ids(user) -> list[int]:
    return [pk for pk, _title in ready_books(user)]


def ready_books(user) -> list[tuple[int, str]]:
    """(id, title) of the ready books the user may read, in `ready_book_ids`'s order."""
    if not user.is_authenticated:
        return []
    return [(pk, title) for pk, title in _READY_BOOKS.all(user_id=user.pk)]


def books_for_listing(user):
    return (
        readable_books(user)
        .select_related("owner")
        .annotate(chapter_count=Count("chapters", distinct=True))
        .order_by("-created_at", "-id")
    )


def book_authors(book_ids) -> dict[int, str]:
    """The authors line of each book, by id ("" when unknown). Read with every offline answer: plain
    SQL with the ids as one array (an ORM queryset cost ~0.4-0.9 ms of CPU to build each time)."""
    ids = sorted({int(pk) for pk in book_ids})
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, authors FROM {Book._meta.db_table} WHERE id = ANY(%s)", [ids])
        return dict(cursor.fetchall())


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
