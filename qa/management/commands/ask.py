"""python manage.py ask SECTION_ID "QUESTION" --user NAME [--position SECONDS] [--session ID] [--json]

The answer is printed as it is written (a streaming model; the offline answerer's is whole at
once), then its sources. The printed text is a preview, as on the page: when checking the quotes
changed it (a citation dropped or renumbered), the checked answer follows it. `--json` prints one
line, the API's object, once the answer is whole."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from docprof.ai.errors import AIError
from docprof.ai.llm import collect
from qa import selectors, services


class Command(BaseCommand):
    help = "Ask a question during a section's lecture, answered from the user's library with sources."

    def add_arguments(self, parser):
        parser.add_argument("section_id", type=int)
        parser.add_argument("question")
        parser.add_argument("--user", required=True, help="User name")
        parser.add_argument("--position", type=float, default=None, help="Seconds into the lecture")
        parser.add_argument("--session", type=int, default=None, help="Continue this question session")
        parser.add_argument("--json", action="store_true", help="One line of JSON (the API's shape)")

    def handle(self, section_id, question, user, position, session, json=False, **options):
        try:
            person = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {user!r}.")
        try:
            section = selectors.section_or_404(person, section_id)
        except Http404:
            raise CommandError(f"{user} has no section {section_id}.")
        try:
            prepared = services.prepare(
                person, section, question, position_seconds=position, session_id=session
            )
        except services.QuestionRefused as exc:
            raise CommandError(exc.message)
        self._shown_any = False
        try:
            if json:
                _, asked = collect(services.answer(prepared))
                self.stdout.write(_json(asked.as_dict()))
                return
            shown, asked = collect(services.answer(prepared, stream=True), each=self._show)
        except AIError as exc:
            if self._shown_any:
                self.stdout.write("")  # end the part of the answer that was shown
            raise CommandError(services.model_trouble(exc))
        self._print(asked.answer, "".join(shown))
        self.stdout.write(f"session {asked.session.pk}, {asked.answer.kind}")

    def _show(self, delta: str):
        self._shown_any = True
        self.stdout.write(delta, ending="")
        self.stdout.flush()

    def _print(self, answer, preview: str):
        """What follows the streamed preview (or, with nothing streamed, the whole answer)."""
        if not preview:
            if answer.rewritten_question:
                self.stdout.write(f"(understood as: {answer.rewritten_question})")
            self.stdout.write(answer.answer)
        else:
            if not preview.endswith("\n"):
                self.stdout.write("")
            if preview.strip() != answer.answer.strip():
                self.stdout.write("(with its citations checked:)")
                self.stdout.write(answer.answer)
            if answer.rewritten_question:
                self.stdout.write(f"(understood as: {answer.rewritten_question})")
        for s in answer.sources:
            pages = f"p. {s.page_start}" + (
                f"-{s.page_end}" if s.page_end and s.page_end != s.page_start else ""
            )
            mark = "verified" if s.verified else "NOT verified"
            self.stdout.write(
                f"  [{s.n}] {s.book_title}, {s.chapter}, {pages} ({mark}): \u201c{s.quote}\u201d"
            )


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
