"""The course request form. It renders the fields; the rules are `CourseRequestSerializer`'s, so the
page, the API and the CLI refuse exactly the same input."""

from django import forms
from django.conf import settings
from django.urls import reverse

from courses.models import Course
from courses.serializers import MAX_QUERY_CHARS, CourseRequestSerializer, number_or_text
from courses.services import CourseRequest

PREFERENCE_FIELDS = ("depth", "presentation_style", "pace_wpm", "notes", "widen")


class CourseRequestForm(forms.Form):
    query = forms.CharField(
        label="What do you want to learn?",
        max_length=MAX_QUERY_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "e.g. Learn DCF valuation"}),
    )
    hours = forms.CharField(
        label="Hours",
        initial="2",
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25"}),
    )
    depth = forms.ChoiceField(choices=Course.Depth.choices, initial=Course.Depth.STANDARD)
    presentation_style = forms.ChoiceField(
        label="Presentation style", choices=Course.Style.choices, initial=Course.Style.LECTURE
    )
    pace_wpm = forms.CharField(
        label="Pace (words per minute)",
        initial="150",
        widget=forms.NumberInput(attrs={"min": "60", "max": "300", "step": "10"}),
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Anything the planner should know"}),
    )

    widen = forms.BooleanField(
        label="If my books hold less than this on the subject, fill the time with neighbouring chapters",
        required=False,
        help_text="Unticked, the course is as long as your books support, and it says so.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "hours"
        ].help_text = (
            f"{settings.DOCPROF_MIN_COURSE_MINUTES} minutes to {settings.DOCPROF_MAX_COURSE_HOURS:g} hours"
        )
        self.request: CourseRequest | None = None
        # Any change to the request or the hours (typing, paste, autofill, spinner) refreshes the
        # preview of relevant books and cost: the `input` event, not only key presses.
        live = {
            "hx-get": reverse("courses:preview"),
            "hx-target": "#preview",
            # Depth, pace and "fill the time" change what the books support: the preview plans with them.
            "hx-include": "#id_query, #id_hours, #id_depth, #id_pace_wpm, #id_widen",
            "hx-sync": "closest form:replace",
        }
        self.fields["query"].widget.attrs.update(live, **{"hx-trigger": "input changed delay:500ms, load"})
        for name in ("hours", "pace_wpm"):
            self.fields[name].widget.attrs.update(live, **{"hx-trigger": "input changed delay:500ms, change"})
        for name in ("depth", "widen"):
            self.fields[name].widget.attrs.update(live, **{"hx-trigger": "change"})

    def clean(self):
        """Every rule's error at once: the serializer checks all fields, including those the form
        already refused (their own message is kept; the serializer's is not repeated)."""
        cleaned = super().clean()
        refused = set(self.errors)
        preferences = {
            name: cleaned.get(name, self.data.get(name, ""))
            for name in PREFERENCE_FIELDS
            if name not in refused
        }
        if "pace_wpm" in preferences:
            preferences["pace_wpm"] = number_or_text(preferences["pace_wpm"], int)
        payload = {
            "query": cleaned.get("query", self.data.get("query", "")),
            "hours": number_or_text(cleaned.get("hours", self.data.get("hours", ""))),
            "preferences": preferences,
        }
        serializer = CourseRequestSerializer(data=payload)
        if not serializer.is_valid():
            add_serializer_errors(self, serializer.errors, skip=refused)
            return cleaned
        if refused:
            return cleaned
        data = serializer.validated_data
        self.request = CourseRequest(data["query"], data["hours"], dict(data.get("preferences") or {}))
        return cleaned


def add_serializer_errors(form: forms.Form, errors: dict, skip: set[str] = frozenset()) -> None:
    """Put DRF errors (preferences nested) on the form's fields; anything else on the form. Fields
    in `skip` already show an error of their own."""
    for field, messages in errors.items():
        if field == "preferences" and isinstance(messages, dict):
            add_serializer_errors(form, messages, skip)
            continue
        if field in skip:
            continue
        if isinstance(messages, dict):
            messages = [str(m) for m in messages.values()]
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))
