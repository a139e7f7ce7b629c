"""python manage.py ask SECTION_ID "QUESTION" --user NAME [--position SECONDS] [--session ID] [--json]"""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

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
            asked = services.ask(person, section, question, position_seconds=position, session_id=session)
        except services.QuestionRefused as exc:
            raise CommandError(exc.message)
        if json:
            self.stdout.write(_json(asked.as_dict()))
            return
        answer = asked.answer
        if answer.rewritten_question:
            self.stdout.write(f"(understood as: {answer.rewritten_question})")
        self.stdout.write(answer.answer)
        for s in answer.sources:
            pages = f"p. {s.page_start}" + (
                f"-{s.page_end}" if s.page_end and s.page_end != s.page_start else ""
            )
            mark = "verified" if s.verified else "NOT verified"
            self.stdout.write(
                f"  [{s.n}] {s.book_title}, {s.chapter}, {pages} ({mark}): \u201c{s.quote}\u201d"
            )
        self.stdout.write(f"session {asked.session.pk}, {answer.kind}")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
