"""What customers said: the satisfaction dimensions the upstream asks about, and each survey the
upstream accepted with its answers (one per dimension), kept for the report."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ticketui.osm.headers import upstream_language


class SatisfactionDimension(models.Model):
    """A satisfaction dimension the upstream asks surveys to rate (osm-api.md §3), copied locally
    by `dimensions_sync` so that a survey can be shown without asking the upstream each time.
    Team leads choose which ones a survey must rate (`required`).

    The upstream names a dimension in the language a call asks for (X-Language): `name` and
    `description` are its text in the team's language (OSM_LANGUAGE), `texts` its text in every
    language it was fetched in ({"zh-cn": {"name": …, "description": …}, "en-us": …}). Pages
    show `shown_name`/`shown_description`: the viewer's language, else the team's."""

    satisfaction_id = models.PositiveSmallIntegerField(unique=True)  # 0-9999 upstream
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    texts = models.JSONField(default=dict, blank=True)
    value = models.PositiveIntegerField()  # the dimension's total score
    per_value = models.PositiveIntegerField()  # the score of one star
    category_id = models.CharField(max_length=32, blank=True)
    category_name = models.CharField(max_length=32, blank=True)
    required = models.BooleanField(default=False)
    # False once the upstream stops listing it: kept for old surveys, no longer offered.
    offered = models.BooleanField(default=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["satisfaction_id"]

    def __str__(self) -> str:
        return f"{self.satisfaction_id} {self.name}"

    def name_in(self, language: str) -> str:
        """The name in this X-Language code, else in the team's language."""
        return self._text(language).get("name") or self.name

    def description_in(self, language: str) -> str:
        text = self._text(language)
        return text["description"] if text.get("name") else self.description

    def _text(self, language: str) -> dict:
        text = (self.texts or {}).get(language)
        return text if isinstance(text, dict) else {}

    @property
    def shown_name(self) -> str:
        """The name in the language the dashboard is being shown in."""
        return self.name_in(viewer_language())

    @property
    def shown_description(self) -> str:
        return self.description_in(viewer_language())

    @property
    def stars(self) -> int:
        """How many stars the survey shows: one per `per_value` of the total."""
        return self.value // self.per_value if self.per_value else 0


class SurveySource(models.TextChoices):
    CLOSE = "close", _("With the close")
    AFTER_CLOSURE = "score", _("Rated after closure")  # stored by the wire name of its call


class Survey(models.Model):
    """What was said about one ticket, kept once the upstream accepted it. A ticket is rated
    once; the audit record of the call that carried it is its proof."""

    case_id = models.CharField(max_length=64, unique=True)
    # Kept if the ticket stops being tracked; the fields below are copied for the report.
    ticket = models.OneToOneField(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey"
    )
    product = models.CharField(max_length=200, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agent_username = models.CharField(max_length=150)
    source = models.CharField(max_length=8, choices=SurveySource.choices)
    comment = models.TextField(blank=True)
    audit_record = models.OneToOneField(
        "audit.AuditRecord", on_delete=models.PROTECT, related_name="survey"
    )
    created_at = models.DateTimeField()
    # The day and the ISO week (its Monday) the survey was recorded, in the dashboard's time
    # zone: the report filters and groups by these instead of converting every timestamp.
    surveyed_on = models.DateField()
    week = models.DateField()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_satisfaction_report", "Can view the satisfaction report")]
        indexes = [
            # Holds what the report's survey count reads: the database reads the index alone.
            models.Index(fields=["surveyed_on", "week", "agent"], name="survey_report"),
            models.Index(fields=["agent", "surveyed_on"], name="survey_agent_day"),
            models.Index(fields=["product", "surveyed_on"], name="survey_product_day"),
        ]

    def __str__(self) -> str:
        return f"Survey of {self.case_id}"


class SurveyAnswer(models.Model):
    """The stars one survey gave one dimension, with the scale as it was sent."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    satisfaction_id = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=32)
    stars = models.PositiveSmallIntegerField()
    scale = models.PositiveSmallIntegerField()  # how many stars the dimension had
    satisfaction_value = models.PositiveIntegerField()
    value = models.PositiveIntegerField()
    per_value = models.PositiveIntegerField()
    # Copied from the survey (never changed after), so that the report counts one table.
    surveyed_on = models.DateField()
    week = models.DateField()
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    product = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["survey", "satisfaction_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "satisfaction_id"], name="survey_answer_once_per_dimension"
            )
        ]
        indexes = [
            # Holds every column the report's aggregate reads: the database reads the index alone.
            models.Index(
                fields=["surveyed_on", "week", "agent", "satisfaction_id", "scale", "stars"],
                name="survey_answer_report",
            ),
            models.Index(fields=["agent", "surveyed_on"], name="survey_answer_agent_day"),
            models.Index(fields=["product", "surveyed_on"], name="survey_answer_product_day"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.stars} of {self.scale}"


def viewer_language() -> str:
    """The X-Language code of the language the dashboard is being shown in."""
    return upstream_language(translation.get_language(), settings.OSM_LANGUAGE)
