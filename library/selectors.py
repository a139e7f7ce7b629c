"""Reads for the library: what a user may see."""

from django.db.models import Count

from library.models import Book, Chapter


def readable_books(user):
    return Book.objects.readable_by(user)


def ready_book_ids(user) -> list[int]:
    return list(readable_books(user).filter(status=Book.Status.READY).values_list("id", flat=True))


def books_for_listing(user):
    return (
        readable_books(user)
        .select_related("owner")
        .annotate(chapter_count=Count("chapters", distinct=True))
        .order_by("-created_at")
    )


def book_chapters(book: Book):
    return Chapter.objects.filter(book=book).order_by("order")
