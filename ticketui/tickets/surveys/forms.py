"""Forms for the customer's survey: one star rating per dimension (a real radio group) and the
comment, on the close form and on the survey form of a completed ticket; and the team lead's
choice of required dimensions. The forms read what was typed; survey_prepare checks it."""

import uuid
from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ticketui.osm import limits

from .models import SatisfactionDimension
from .services import COMMENT_REQUIRED, STARS_OUT_OF_RANGE


class StarsField(forms.TypedChoiceField):
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
            label=dimension.shown_name,
            help_text=dimension.shown_description,
            error_messages={
                "invalid_choice": gettext(STARS_OUT_OF_RANGE)
                % {"name": dimension.shown_name, "stars": stars}
            },
        )
        self.dimension = dimension


def stars_field_name(dimension: SatisfactionDimension) -> str:
    return f"stars_{dimension.satisfaction_id}"


class SurveyFieldsMixin:
    """Adds the survey to a form: one StarsField per dimension (`stars_<id>`) and the
    `comment`. Without dimensions the form has no survey at all."""

    comment_required = False

    def __init__(self, *args, dimensions: Sequence[SatisfactionDimension] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dimensions = list(dimensions)
        for dimension in self.dimensions:
            self.fields[stars_field_name(dimension)] = StarsField(dimension=dimension)
        if self.dimensions:
            self.fields["comment"] = forms.CharField(
                required=self.comment_required,
                max_length=limits.TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                label=_("Comment"),
                help_text=_("What the customer thought; up to 400 characters."),
                error_messages={"required": _(COMMENT_REQUIRED)},
            )

    @property
    def stars_fields(self) -> list[forms.BoundField]:
        return [self[stars_field_name(dimension)] for dimension in self.dimensions]

    @property
    def has_survey(self) -> bool:
        return bool(self.dimensions)

    def survey_input(self) -> dict:
        """The survey as services take it: `stars` by dimension id and the `comment`."""
        stars = {
            dimension.satisfaction_id: given
            for dimension in self.dimensions
            if (given := self.cleaned_data.get(stars_field_name(dimension))) is not None
        }
        return {"stars": stars, "comment": self.cleaned_data.get("comment", "")}


class SurveyForm(SurveyFieldsMixin, forms.Form):
    """The customer's survey of a completed ticket, sent with the upstream's rating call."""

    comment_required = True

    def __init__(self, *args, **kwargs) -> None:
        # Its own ids: the ticket page may also hold the close form's survey.
        kwargs.setdefault("auto_id", "survey-%s")
        super().__init__(*args, **kwargs)

    group_id = forms.CharField(
        required=False,
        max_length=limits.GROUP_ID_MAX,
        label=_("IAM group id"),
        help_text=_("Only when rating a ticket opened by another member of your group."),
    )
    # One per rendered form: the same survey sent twice is one survey (see survey_submit).
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def submission(self) -> dict:
        """What survey_submit takes from this form."""
        return {
            **self.survey_input(),
            "group_id": self.cleaned_data["group_id"],
            "idempotency_key": self.cleaned_data["idempotency_key"],
        }


class DimensionsRequiredForm(forms.Form):
    """Which dimensions every survey must rate."""

    required = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, dimensions: Sequence[SatisfactionDimension], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required"].choices = [
            (dimension.satisfaction_id, dimension.shown_name) for dimension in dimensions
        ]
        self.fields["required"].initial = [
            dimension.satisfaction_id for dimension in dimensions if dimension.required
        ]
