"""python manage.py reembed — switch embedders: fit the vector columns to the configured embedder's
dimension, re-embed every passage, chapter and book summary it did not make, rebuild the vector
indexes. Safe to interrupt (Ctrl-C) and run again: it continues where it stopped."""

import sys

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from docprof.ai.errors import AIError
from docprof.ai.factory import get_embedder
from library import reembedding
from library.models import Chunk


class Command(BaseCommand):
    help = (
        "Switch embedders: change the vector columns' dimension if needed, re-embed what the configured "
        "embedder did not make (resumable), rebuild the vector indexes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only-stale",
            action="store_true",
            help="Only vectors that are missing or made by another embedder (the default; kept for scripts)",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="Re-embed everything, even vectors the configured embedder made",
        )

    def handle(self, *args, only_stale=False, all=False, **options):
        try:
            embedder = get_embedder()
        except AIError as exc:
            raise CommandError(str(exc)) from None
        changed = reembedding.change_dimension(embedder.dim)
        if changed:
            self.stdout.write(
                f"Vector columns changed to {embedder.dim} dimensions ({', '.join(changed)}); "
                "their old vectors were cleared."
            )
        if all:
            reembedding.mark_all_stale()
        total = reembedding.stale(Chunk, embedder).count()
        interactive = sys.stdout.isatty()
        with Progress(
            TextColumn("Re-embedding passages"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            disable=not interactive or total == 0,
            transient=False,
        ) as bar:
            task = bar.add_task("embed", total=total)
            try:
                done = reembedding.reembed_chunks(embedder, lambda n: bar.advance(task, n))
            except KeyboardInterrupt:
                remaining = reembedding.stale(Chunk, embedder).count()
                raise CommandError(
                    f"Interrupted: {total - remaining} of {total} passages re-embedded and kept. "
                    "Run `manage.py reembed` again to continue."
                ) from None
        others = reembedding.reembed_summaries(embedder)
        built = reembedding.ensure_indexes()
        message = f"Re-embedded {done} passages and {others} chapters/summaries with {embedder.name}."
        if built:
            message += f" Rebuilt {', '.join(built)}."
        self.stdout.write(self.style.SUCCESS(message))
