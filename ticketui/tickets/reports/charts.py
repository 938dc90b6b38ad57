"""Charts drawn on the server as inline SVG: no JavaScript, an accessible name (<title>) and a
summary of the numbers (<desc>) on each, every text escaped. Pages show the same numbers in a
table beside each chart. Colours come from app.css classes (the CSP allows no inline styles)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .selectors import DimensionFigures, SatisfactionReport

FONT_SIZE = 12
LABEL_CHARS = 24  # longer labels are cut in the chart; the table beside has them whole


@dataclass(frozen=True, kw_only=True)
class Datum:
    label: str
    value: float | None  # None: nothing to draw (no answers)
    text: str  # how the value reads, e.g. "4.2 of 5" or "83%"


def _n(number: float) -> str:
    """Coordinates to one decimal (format_html turns its arguments into text first)."""
    return f"{number:.1f}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _svg(
    *, chart_id: str, title: str, description: str, width: int, height: int, body: SafeString
) -> SafeString:
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>{body}</svg>',
        id=chart_id,
        width=width,
        height=height,
        title=title,
        description=description,
        body=body,
    )


def _describe(data: Sequence[Datum], empty: str) -> str:
    shown = [f"{datum.label}: {datum.text}" for datum in data if datum.value is not None]
    return "; ".join(shown) + "." if shown else empty


def bar_chart(
    *, chart_id: str, title: str, data: Sequence[Datum], maximum: float, empty: str = "No data."
) -> SafeString:
    """Horizontal bars, one row per datum: its label, a bar to scale, and its value in words."""
    label_width, bar_width, text_width, row = 170, 260, 80, 30
    width, height = label_width + bar_width + text_width, max(row * len(data), row) + 6
    rows = []
    for index, datum in enumerate(data):
        y = index * row + 4
        length = (
            0 if datum.value is None or maximum <= 0 else bar_width * min(datum.value / maximum, 1)
        )
        rows.append(
            format_html(
                '<g><text class="chart-label" x="{lx}" y="{ty}" text-anchor="end">{label}</text>'
                '<rect class="chart-track" x="{bx}" y="{y}" width="{bw}" height="20" rx="3"></rect>'
                '<rect class="chart-bar" x="{bx}" y="{y}" width="{length}" height="20" rx="3"></rect>'
                '<text class="chart-value" x="{vx}" y="{ty}">{text}</text></g>',
                lx=label_width - 8,
                bx=label_width,
                bw=bar_width,
                vx=label_width + bar_width + 8,
                y=y,
                ty=y + 15,
                length=_n(length),
                label=_short(datum.label),
                text=datum.text if datum.value is not None else "—",
            )
        )
    body = format_html_join("", "{}", ((row_svg,) for row_svg in rows))
    return _svg(
        chart_id=chart_id,
        title=title,
        description=_describe(data, empty),
        width=width,
        height=height,
        body=body,
    )


def column_chart(
    *, chart_id: str, title: str, data: Sequence[Datum], empty: str = "No data."
) -> SafeString:
    """Vertical columns side by side (e.g. how many answers gave each number of stars)."""
    column, gap, plot_height, top, bottom = 34, 10, 110, 18, 22
    width = max(len(data), 1) * (column + gap) + gap
    height = top + plot_height + bottom
    tallest = max((datum.value or 0 for datum in data), default=0) or 1
    columns = []
    for index, datum in enumerate(data):
        x = gap + index * (column + gap)
        size = plot_height * (datum.value or 0) / tallest
        columns.append(
            format_html(
                '<g><rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}" rx="3"></rect>'
                '<text class="chart-value" x="{cx}" y="{vy}" text-anchor="middle">{text}</text>'
                '<text class="chart-label" x="{cx}" y="{ly}" text-anchor="middle">{label}</text></g>',
                x=x,
                y=_n(top + plot_height - size),
                w=column,
                h=_n(size),
                cx=_n(x + column / 2),
                vy=_n(top + plot_height - size - 4),
                ly=top + plot_height + 16,
                label=_short(datum.label),
                text=datum.text,
            )
        )
    body = format_html(
        '<line class="chart-axis" x1="0" x2="{w}" y1="{y}" y2="{y}"></line>{columns}',
        w=width,
        y=top + plot_height,
        columns=format_html_join("", "{}", ((svg,) for svg in columns)),
    )
    return _svg(
        chart_id=chart_id,
        title=title,
        description=_describe(data, empty),
        width=width,
        height=height,
        body=body,
    )


def line_chart(
    *,
    chart_id: str,
    title: str,
    data: Sequence[Datum],
    maximum: float = 100,
    unit: str = "%",
    empty: str = "No data.",
) -> SafeString:
    """A line over time (0 to `maximum`); a point without a value breaks the line."""
    left, right, top, bottom, plot_height = 40, 30, 12, 26, 160
    step = max(520 / max(len(data) - 1, 1), 6)
    width = left + right + step * max(len(data) - 1, 1)
    height = top + plot_height + bottom

    def y_of(value: float) -> float:
        return top + plot_height * (1 - min(max(value / maximum, 0), 1))

    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}{}</text>',
        (
            (
                left,
                width - right,
                _n(y_of(tick)),
                _n(y_of(tick)),
                left - 6,
                _n(y_of(tick) + 4),
                round(tick),
                unit,
            )
            for tick in (0, maximum / 2, maximum)
        ),
    )
    segments, current, points, labels = [], [], [], []
    label_every = max(1, len(data) // 12)
    for index, datum in enumerate(data):
        x = left + step * index
        if index % label_every == 0:
            labels.append((_n(x), top + plot_height + 18, _short(datum.label)))
        if datum.value is None:
            if current:
                segments.append(current)
            current = []
            continue
        y = y_of(datum.value)
        current.append(f"{_n(x)},{_n(y)}")
        points.append((_n(x), _n(y), f"{datum.label}: {datum.text}"))
    if current:
        segments.append(current)
    body = format_html(
        "{grid}{lines}{dots}{labels}",
        grid=grid,
        lines=format_html_join(
            "",
            '<polyline class="chart-line" points="{}"></polyline>',
            ((" ".join(s),) for s in segments),
        ),
        dots=format_html_join(
            "",
            '<circle class="chart-dot" cx="{}" cy="{}" r="3.5"><title>{}</title></circle>',
            points,
        ),
        labels=format_html_join(
            "", '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>', labels
        ),
    )
    return _svg(
        chart_id=chart_id,
        title=title,
        description=_describe(data, empty),
        width=width,
        height=height,
        body=body,
    )


# --- The satisfaction report's charts ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReportCharts:
    means: SafeString
    distributions: list[tuple[DimensionFigures, SafeString]]
    trend: SafeString
    agents: SafeString


def report_charts(report: SatisfactionReport) -> ReportCharts:
    """The report's four charts, each titled and summarised for screen readers."""
    means = bar_chart(
        chart_id="chart-means",
        title=str(_("Mean stars per dimension")),
        maximum=1,
        data=[
            Datum(
                label=dimension.name,
                value=(dimension.tally.mean_stars or 0) / dimension.scale,
                text=_of_stars(dimension.tally.mean_stars, dimension.scale),
            )
            for dimension in report.dimensions
        ],
    )
    distributions = [
        (
            dimension,
            column_chart(
                chart_id=f"chart-stars-{dimension.satisfaction_id}-{dimension.scale}",
                title=str(_("Stars given for %(name)s") % {"name": dimension.name}),
                data=[
                    Datum(
                        label=f"{share.stars}★",
                        value=share.count,
                        text=f"{share.count}",
                    )
                    for share in dimension.distribution
                ],
            ),
        )
        for dimension in report.dimensions
    ]
    trend = line_chart(
        chart_id="chart-trend",
        title=str(_("Share of satisfied answers per week")),
        data=[
            Datum(
                label=_week_label(week.start) if week.start else week.label,
                value=week.tally.satisfied_percent,
                text=f"{week.tally.satisfied_percent:.0f}%"
                if week.tally.satisfied_percent is not None
                else "—",
            )
            for week in report.weeks
        ],
        empty=str(_("No answers in this period.")),
    )
    agents = bar_chart(
        chart_id="chart-agents",
        title=str(_("Share of satisfied answers per agent")),
        maximum=100,
        data=[
            Datum(
                label=agent.label,
                value=agent.tally.satisfied_percent,
                text=f"{agent.tally.satisfied_percent:.0f}%"
                if agent.tally.satisfied_percent is not None
                else "—",
            )
            for agent in report.agents
        ],
    )
    return ReportCharts(means=means, distributions=distributions, trend=trend, agents=agents)


def _of_stars(mean: float | None, scale: int) -> str:
    return (
        "—" if mean is None else str(_("%(mean).1f of %(scale)d") % {"mean": mean, "scale": scale})
    )


def _week_label(day: date) -> str:
    """A week's first day under the trend chart: "Nov 02" in English, "11月2日" in Chinese."""
    return dateformat.format(day, pgettext("trend chart week label, a Django date format", "M d"))
