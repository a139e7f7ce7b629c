"""python manage.py reembed — rebuild every vector with the configured embedder."""

from django.core.management.base import BaseCommand

from docprof.ai.factory import get_embedder
from library.models import Book, Chunk
from library.services import reembed


class Command(BaseCommand):
    help = "Re-embed all chunks, chapters and book summaries with the embedder in settings."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-stale", action="store_true", help="Only books with vectors made by another embedder"
        )

    def handle(self, only_stale, **options):
        embedder = get_embedder()
        books = Book.objects.filter(status=Book.Status.READY)
        if only_stale:
            stale = Chunk.objects.exclude(embedder=embedder.name).values_list("book_id", flat=True).distinct()
            books = books.filter(pk__in=stale)
        total = reembed(embedder, books, progress=lambda b, n: self.stdout.write(f"{b.title}: {n} passages"))
        self.stdout.write(self.style.SUCCESS(f"Re-embedded {total} passages with {embedder.name}."))
