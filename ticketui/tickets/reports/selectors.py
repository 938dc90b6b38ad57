"""Reads for the team lead's satisfaction report. Every figure is counted by the database (GROUP BY
dimension, scale and stars, per week or agent); Python only combines those few hundred groups, so
the cost does not grow with the number of surveys beyond the database's own scan."""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from ..models import Ticket
from ..surveys.models import SatisfactionDimension, Survey, SurveyAnswer
from ..surveys.selectors import dimension_names

# The columns of the answers export, in order.
ANSWER_COLUMNS = (
    "surveyed_at",
    "case_id",
    "product",
    "agent",
    "source",
    "satisfaction_id",
    "dimension",
    "stars",
    "of_stars",
    "satisfaction_value",
    "value",
    "per_value",
    "comment",
)


def is_satisfied(*, stars: int, scale: int) -> bool:
    """4 or 5 of 5 stars, and for another scale its top 40%: more than three fifths of the stars."""
    return 5 * stars > 3 * scale


@dataclass(frozen=True, kw_only=True)
class ReportFilter:
    """Both days included: the days surveys were recorded, in the dashboard's time zone."""

    start: date
    end: date
    agent_id: int | None = None
    product: str = ""


@dataclass
class Tally:
    """Answers counted for one group: how many, their stars, and how many were satisfied."""

    answers: int = 0
    stars: int = 0
    satisfied: int = 0
    score: float = 0.0  # the sum of stars / scale

    def add(self, *, stars: int, scale: int, count: int) -> None:
        self.answers += count
        self.stars += stars * count
        self.score += stars / scale * count if scale else 0
        self.satisfied += count if is_satisfied(stars=stars, scale=scale) else 0

    @property
    def mean_stars(self) -> float | None:
        return self.stars / self.answers if self.answers else None

    @property
    def mean_percent(self) -> float | None:
        return 100 * self.score / self.answers if self.answers else None

    @property
    def satisfied_percent(self) -> float | None:
        return 100 * self.satisfied / self.answers if self.answers else None


@dataclass(frozen=True, kw_only=True)
class StarCount:
    stars: int
    count: int
    percent: float


@dataclass(kw_only=True)
class DimensionFigures:
    satisfaction_id: int
    scale: int
    name: str
    tally: Tally = field(default_factory=Tally)
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, int]:
        return (self.satisfaction_id, self.scale)

    @property
    def distribution(self) -> list[StarCount]:
        """Every star of the scale, the ones nobody gave included."""
        total = self.tally.answers or 1
        return [
            StarCount(
                stars=stars,
                count=self.counts.get(stars, 0),
                percent=100 * self.counts.get(stars, 0) / total,
            )
            for stars in range(1, self.scale + 1)
        ]


@dataclass(kw_only=True)
class GroupFigures:
    """A week's or an agent's surveys; `by_dimension` follows the report's dimension order."""

    label: str
    surveys: int = 0
    tally: Tally = field(default_factory=Tally)
    tallies: dict[tuple[int, int], Tally] = field(default_factory=dict)
    by_dimension: list[Tally | None] = field(default_factory=list)
    start: date | None = None  # for weeks

    def add(self, *, key: tuple[int, int], stars: int, scale: int, count: int) -> None:
        """Count answers for the dimension `key` (satisfaction id, scale)."""
        self.tallies.setdefault(key, Tally()).add(stars=stars, scale=scale, count=count)
        self.tally.add(stars=stars, scale=scale, count=count)


@dataclass(kw_only=True)
class SatisfactionReport:
    filters: ReportFilter
    surveys: int
    tally: Tally
    dimensions: list[DimensionFigures]
    weeks: list[GroupFigures]
    agents: list[GroupFigures]


def survey_list(*, filters: ReportFilter) -> QuerySet[Survey]:
    surveys = Survey.objects.filter(surveyed_on__range=(filters.start, filters.end))
    if filters.agent_id is not None:
        surveys = surveys.filter(agent_id=filters.agent_id)
    if filters.product:
        surveys = surveys.filter(product=filters.product)
    return surveys


def survey_answer_list(*, filters: ReportFilter) -> QuerySet[SurveyAnswer]:
    answers = SurveyAnswer.objects.filter(surveyed_on__range=(filters.start, filters.end))
    if filters.agent_id is not None:
        answers = answers.filter(agent_id=filters.agent_id)
    if filters.product:
        answers = answers.filter(product=filters.product)
    return answers


def satisfaction_report(*, filters: ReportFilter) -> SatisfactionReport:
    """Mean, distribution and share satisfied per dimension; the same per ISO week and per agent.

    Two aggregates whatever the number of surveys: the answers counted per (week, agent,
    dimension, scale, stars) from one table and its covering index, and the surveys per (week,
    agent); Python adds up those few groups."""
    overall = Tally()
    dimensions: dict[tuple[int, int], DimensionFigures] = {}
    weeks = {
        start: GroupFigures(label=f"{start:%Y-%m-%d}", start=start)
        for start in _week_starts(filters.start, filters.end)
    }
    agents: dict[int, GroupFigures] = {}

    answer_groups = (
        survey_answer_list(filters=filters)
        .order_by()
        .values("week", "agent_id", "satisfaction_id", "scale", "stars")
        .annotate(count=Count("*"))
        .values_list("week", "agent_id", "satisfaction_id", "scale", "stars", "count")
    )
    # Added up per week, per agent and overall first (plain counters: a year of 25 agents is
    # some ten thousand groups), then turned into tallies, a few hundred of them.
    by_week: Counter = Counter()
    by_agent: Counter = Counter()
    by_dimension: Counter = Counter()
    for week, agent_id, satisfaction_id, scale, stars, count in answer_groups:
        by_week[week, satisfaction_id, scale, stars] += count
        by_agent[agent_id, satisfaction_id, scale, stars] += count
        by_dimension[satisfaction_id, scale, stars] += count
    for (satisfaction_id, scale, stars), count in sorted(by_dimension.items()):
        key = (satisfaction_id, scale)
        dimension = dimensions.setdefault(
            key, DimensionFigures(satisfaction_id=satisfaction_id, scale=scale, name="")
        )
        dimension.tally.add(stars=stars, scale=scale, count=count)
        dimension.counts[stars] = dimension.counts.get(stars, 0) + count
        overall.add(stars=stars, scale=scale, count=count)
    for (week, satisfaction_id, scale, stars), count in by_week.items():
        weeks[week].add(key=(satisfaction_id, scale), stars=stars, scale=scale, count=count)
    for (agent_id, satisfaction_id, scale, stars), count in by_agent.items():
        agent = agents.setdefault(agent_id, GroupFigures(label=""))
        agent.add(key=(satisfaction_id, scale), stars=stars, scale=scale, count=count)
    _name_dimensions(dimensions.values(), survey_answer_list(filters=filters))

    survey_groups = (
        survey_list(filters=filters)
        .order_by()
        .values("week", "agent_id")
        .annotate(count=Count("*"))
    )
    for row in survey_groups:
        weeks[row["week"]].surveys += row["count"]
        agents.setdefault(row["agent_id"], GroupFigures(label="")).surveys += row["count"]
    for user in get_user_model().objects.filter(pk__in=agents):
        agents[user.pk].label = user.get_full_name() or user.get_username()

    ordered = sorted(dimensions.values(), key=lambda dimension: dimension.key)
    for group in [*weeks.values(), *agents.values()]:
        group.by_dimension = [group.tallies.get(dimension.key) for dimension in ordered]
    return SatisfactionReport(
        filters=filters,
        surveys=sum(group.surveys for group in weeks.values()),
        tally=overall,
        dimensions=ordered,
        weeks=list(weeks.values()),
        agents=sorted(agents.values(), key=lambda group: group.label.casefold()),
    )


def _week_starts(start: date, end: date) -> list[date]:
    """The Monday of every ISO week the period touches."""
    monday = start - timedelta(days=start.weekday())
    return [monday + timedelta(weeks=n) for n in range((end - monday).days // 7 + 1)]


def _name_dimensions(dimensions: Iterable[DimensionFigures], answers: QuerySet) -> None:
    """Names from the synced dimensions, in the viewer's language; one missing there keeps the
    name it was sent with."""
    dimensions = list(dimensions)
    ids = {dimension.satisfaction_id for dimension in dimensions}
    names = dimension_names(ids=ids)
    if missing := ids - names.keys():
        sent = answers.filter(satisfaction_id__in=missing).order_by().values("satisfaction_id")
        names |= dict(
            sent.annotate(sent_name=Max("name")).values_list("satisfaction_id", "sent_name")
        )
    for dimension in dimensions:
        dimension.name = names.get(dimension.satisfaction_id) or str(dimension.satisfaction_id)


# The filters' choices are read from whole tables (every survey's agent, every ticket's
# product), so they are kept in the shared cache for a minute: a new agent or product shows up
# in the filter within that minute.
CHOICES_SECONDS = 60


def report_agents() -> list[tuple[int, str]]:
    """Everyone who has sent a survey, for the agent filter."""

    def read() -> list[tuple[int, str]]:
        users = (
            get_user_model()
            .objects.filter(pk__in=Survey.objects.values("agent_id"))
            .order_by("first_name", "last_name", "username")
        )
        return [(user.pk, user.get_full_name() or user.get_username()) for user in users]

    return cache.get_or_set("reports:agents", read, CHOICES_SECONDS)


def report_products() -> list[str]:
    """The products of the tracked tickets, for the product filter."""

    def read() -> list[str]:
        return list(
            Ticket.objects.exclude(product_category="")
            .order_by("product_category")
            .values_list("product_category", flat=True)
            .distinct()
        )

    return cache.get_or_set("reports:products", read, CHOICES_SECONDS)


def survey_answer_rows(*, filters: ReportFilter) -> Iterator[tuple]:
    """Every answer in the period, oldest first, in ANSWER_COLUMNS order; read in chunks. The
    dimension is named in the viewer's language (read now: the rows are written later, as the
    response streams), else as it was sent."""
    rows = (
        survey_answer_list(filters=filters)
        .order_by("survey__created_at", "survey_id", "satisfaction_id")
        .values_list(
            "survey__created_at",
            "survey__case_id",
            "survey__product",
            "survey__agent_username",
            "survey__source",
            "satisfaction_id",
            "name",
            "stars",
            "scale",
            "satisfaction_value",
            "value",
            "per_value",
            "survey__comment",
        )
    )
    names = dimension_names(
        ids=SatisfactionDimension.objects.values_list("satisfaction_id", flat=True)
    )
    return _answer_rows(rows, names, timezone.get_current_timezone())


def _answer_rows(rows: QuerySet, names: dict[int, str], zone: tzinfo) -> Iterator[tuple]:
    for row in rows.iterator(chunk_size=2000):
        shown = names.get(row[5]) or row[6]
        yield (row[0].astimezone(zone).isoformat(timespec="seconds"), *row[1:6], shown, *row[7:])
