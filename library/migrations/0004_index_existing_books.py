"""BM25 statistics and acronyms for books ingested before they existed (new books get them at
ingestion: library.retrieval.index_book)."""

from django.db import migrations


def index_existing(apps, schema_editor):
    from library.retrieval import index_book

    Book = apps.get_model("library", "Book")
    for book_id in Book.objects.values_list("id", flat=True):
        index_book(book_id)


class Migration(migrations.Migration):
    dependencies = [("library", "0003_search_terms_acronyms")]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
