"""Forms for satisfaction surveys: one star rating per dimension (a real radio group), the comment,
the "Rate this ticket" form, the required-dimension choice and the team lead's report filters."""

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ticketui.osm import limits
from ticketui.osm.results import SatisfactionEntry

from .models import SatisfactionDimension, Ticket
from .surveys import (
    JUDGEMENT_REQUIRED,
    STARS_OUT_OF_RANGE,
    survey_validate,
    ticket_rating_check,
)

REPORT_DEFAULT_DAYS = 30
REPORT_MAX_DAYS = 3 * 366
START_AFTER_END = "The start date is after the end date."
RANGE_TOO_LONG = "Choose a period of at most %(days)d days (this one has %(length)d)."


class StarRatingField(forms.TypedChoiceField):
    """The stars of one dimension: "No rating" plus one choice per star, announced as
    "3 of 5 stars"; the template draws them as stars."""

    widget = forms.RadioSelect

    def __init__(self, *, dimension: SatisfactionDimension) -> None:
        stars = dimension.stars
        choices = [("", _("No rating"))] + [
            (
                count,
                ngettext("%(count)d of %(stars)d star", "%(count)d of %(stars)d stars", stars)
                % {"count": count, "stars": stars},
            )
            for count in range(1, stars + 1)
        ]
        super().__init__(
            choices=choices,
            coerce=int,
            empty_value=None,
            required=False,
            initial="",
            label=dimension.name,
            help_text=dimension.description,
            error_messages={
                "invalid_choice": STARS_OUT_OF_RANGE % {"name": dimension.name, "stars": stars}
            },
        )
        self.dimension = dimension


class SurveyFieldsMixin:
    """Adds the survey to a form: one StarRatingField per dimension (`rating_<id>`) and the
    comment (`judgement`). Without dimensions the form has no survey at all."""

    judgement_required = False

    def __init__(
        self,
        *args,
        dimensions: Sequence[SatisfactionDimension] = (),
        ticket: Ticket | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = list(dimensions)
        self.ticket = ticket
        for dimension in self.dimensions:
            self.fields[_rating_name(dimension)] = StarRatingField(dimension=dimension)
        if self.dimensions:
            self.fields["judgement"] = forms.CharField(
                required=self.judgement_required,
                max_length=limits.TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                label=_("Comment"),
                help_text=_("What the customer thought; up to 400 characters."),
                error_messages={"required": JUDGEMENT_REQUIRED},
            )

    @property
    def rating_fields(self) -> list[forms.BoundField]:
        return [self[_rating_name(dimension)] for dimension in self.dimensions]

    @property
    def has_survey(self) -> bool:
        return bool(self.dimensions)

    def survey_ratings(self) -> dict[int, int]:
        """The stars given, by dimension id; the rating fields leave cleaned_data."""
        ratings = {}
        for dimension in self.dimensions:
            stars = self.cleaned_data.pop(_rating_name(dimension), None)
            if stars is not None:
                ratings[dimension.satisfaction_id] = stars
        return ratings

    def survey_ignore(self) -> None:
        """Drop the survey's values and errors: the chosen action does not carry a survey."""
        for name in [_rating_name(dimension) for dimension in self.dimensions] + ["judgement"]:
            self.cleaned_data.pop(name, None)
            self._errors.pop(name, None)

    def survey_entries(self, ratings: dict[int, int], *, required: bool) -> list[SatisfactionEntry]:
        """Validate the survey as the services will; errors land on their fields."""
        judgement = self.cleaned_data.get("judgement", "")
        if self.errors:
            return []
        try:
            if self.ticket is not None and (ratings or required):
                ticket_rating_check(ticket=self.ticket)
            return survey_validate(
                ratings=ratings, judgement=judgement, dimensions=self.dimensions, required=required
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            return []


def _rating_name(dimension: SatisfactionDimension) -> str:
    return f"rating_{dimension.satisfaction_id}"


class RatingForm(SurveyFieldsMixin, forms.Form):
    """Rate this ticket: the survey of a completed ticket, sent with the rating call."""

    judgement_required = True

    def __init__(self, *args, **kwargs) -> None:
        # Its own ids: the ticket page may also hold the operation form's survey.
        kwargs.setdefault("auto_id", "rate-%s")
        super().__init__(*args, **kwargs)

    group_id = forms.CharField(
        required=False,
        max_length=limits.GROUP_ID_MAX,
        label=_("IAM group id"),
        help_text=_("Only when rating a ticket opened by another member of your group."),
    )
    # One per rendered form: the same rating sent twice is one rating (see ticket_rate).
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean(self):
        cleaned = super().clean()
        cleaned["ratings"] = ratings = self.survey_ratings()
        self.survey_entries(ratings, required=True)
        return cleaned


class DimensionsRequiredForm(forms.Form):
    """Which dimensions every survey must rate."""

    required = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, dimensions: Sequence[SatisfactionDimension], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required"].choices = [
            (dimension.satisfaction_id, dimension.name) for dimension in dimensions
        ]
        self.fields["required"].initial = [
            dimension.satisfaction_id for dimension in dimensions if dimension.required
        ]


class SatisfactionReportForm(forms.Form):
    """The report's period (both days included; the last 30 days unless chosen) and filters."""

    start = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput({"type": "date"}, "%Y-%m-%d")
    )
    end = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput({"type": "date"}, "%Y-%m-%d")
    )
    agent = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=_("Agent"))
    # Offered from the tracked tickets' products; any product name may be asked for.
    product = forms.CharField(
        required=False, max_length=200, label=_("Product"), widget=forms.Select
    )

    def __init__(
        self,
        *args,
        agents: Sequence[tuple[int, str]] = (),
        products: Sequence[str] = (),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # The period shown is the one reported, defaults included.
            self.data = self.data.copy()
            try:
                end = date.fromisoformat(self.data.get("end") or "")
            except ValueError:
                end = timezone.localdate()
                if not self.data.get("end"):
                    self.data["end"] = end.isoformat()
            if not self.data.get("start"):
                self.data["start"] = (end - timedelta(days=REPORT_DEFAULT_DAYS - 1)).isoformat()
        self.fields["agent"].choices = [("", _("Every agent")), *agents]
        asked = self.data.get("product", "") if self.is_bound else ""
        products = [*products, asked] if asked and asked not in products else products
        self.fields["product"].widget.choices = [("", _("Every product"))] + [
            (product, product) for product in products
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end: date = cleaned.get("end") or timezone.localdate()
        start: date = cleaned.get("start") or end - timedelta(days=REPORT_DEFAULT_DAYS - 1)
        if start > end:
            raise ValidationError(START_AFTER_END)
        length = (end - start).days + 1
        if length > REPORT_MAX_DAYS:
            raise ValidationError(RANGE_TOO_LONG % {"days": REPORT_MAX_DAYS, "length": length})
        cleaned["start"], cleaned["end"] = start, end
        return cleaned
