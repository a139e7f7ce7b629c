"""python manage.py reingest BOOK_ID [--file PATH] [--json]: read a book again (from a new file for
the same book if given) and mark the lectures whose cited passages changed or vanished as stale."""

import json

from django.core.management.base import BaseCommand, CommandError

from lectures.staleness import ReadingInProgress, reingest
from library.models import Book
from library.parsing import IngestError


class Command(BaseCommand):
    help = "Re-ingest a book and flag lectures that cite passages that changed or vanished."

    def add_arguments(self, parser):
        parser.add_argument("book_id", type=int)
        parser.add_argument("--file", help="A new file for the same book")
        parser.add_argument("--json", action="store_true")

    def handle(self, book_id, file, json: bool, **options):
        book = Book.objects.filter(pk=book_id).first()
        if book is None:
            raise CommandError(f"No book {book_id}.")
        try:
            result = reingest(book, new_file=file)
        except (IngestError, ReadingInProgress) as exc:
            raise CommandError(str(exc)) from None
        if json:
            self.stdout.write(_dumps({"book_id": book_id, **result}))
        else:
            self.stdout.write(
                f"{book.title}: {result['changed_passages']} passages changed or vanished; "
                f"{result['lectures']} lectures checked, {result['stale']} marked stale."
            )


def _dumps(data) -> str:
    return json.dumps(data)
