"""python manage.py search "QUERY" --user NAME [--k 10] [--json]"""

import json

from django.core.management.base import BaseCommand, CommandError

from library.management.commands._common import get_user
from library.retrieval import QueryError, clean_query, search_chunks
from library.selectors import ready_book_ids


class Command(BaseCommand):
    help = "Search the passages of the books a user may read (hybrid vector + full-text search)."

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--user", required=True)
        parser.add_argument("--k", type=int, default=10)
        parser.add_argument("--mode", choices=["hybrid", "vector", "text"], default="hybrid")
        parser.add_argument("--json", action="store_true")

    def handle(self, query, user, k, mode, json: bool, **options):
        owner = get_user(user)
        try:
            query, k = clean_query(query, k)
        except QueryError as exc:
            raise CommandError(str(exc))
        hits = search_chunks(query, ready_book_ids(owner), k, mode=mode)
        if json:
            self.stdout.write(_dumps({"query": query, "results": [h.as_dict() for h in hits]}))
            return
        if not hits:
            self.stdout.write("No passages found.")
        for i, hit in enumerate(hits, 1):
            pages = f"p. {hit.page_start}" + (f"–{hit.page_end}" if hit.page_end != hit.page_start else "")
            self.stdout.write(
                self.style.SUCCESS(f"{i}. {hit.book_title} · {hit.chapter} · {pages}  ({hit.score})")
            )
            self.stdout.write("   " + " ".join(hit.text.split()[:60]) + " …\n")


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
