"""Template helpers for surveys: stars as shown to the eye and read to a screen reader."""

from django import template
from django.utils.html import format_html
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def stars_given(stars: int, scale: int) -> str:
    """ "★★★★☆", announced as "4 of 5 stars"."""
    words = ngettext("%(count)d of %(stars)d star", "%(count)d of %(stars)d stars", scale) % {
        "count": stars,
        "stars": scale,
    }
    return format_html(
        '<span class="stars-given" aria-hidden="true"><span class="on">{}</span>'
        '<span class="off">{}</span></span>'
        '<span class="visually-hidden">{}</span>',
        "★" * stars,
        "★" * max(scale - stars, 0),
        words,
    )


@register.filter
def percent(value: float | None) -> str:
    """A share for the report: "83%", or a dash when there is nothing to count."""
    return f"{value:.0f}%" if isinstance(value, int | float) else "—"


@register.filter
def one_decimal(value: float | None) -> str:
    """A mean for the report: "4.2", or a dash when there is nothing to count."""
    return f"{value:.1f}" if isinstance(value, int | float) else "—"
