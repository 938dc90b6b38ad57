"""Writes for the satisfaction dimensions: copied from the upstream in every language the
dashboard speaks (the upstream names them in the call's X-Language), offered to the survey
forms, and the team's choice of which ones every survey must rate."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ticketui.osm import limits
from ticketui.osm.client import CallContext
from ticketui.osm.configured import get_client
from ticketui.osm.headers import LANGUAGES
from ticketui.osm.results import SatisfactionDimension as UpstreamDimension
from ticketui.osm.results import UpstreamError

from .models import SatisfactionDimension

logger = logging.getLogger(__name__)

# A dimension with more stars than this cannot be shown as a row of stars; it is not offered.
MAX_STARS = 20
# How long a failed lazy sync waits before the next page asks the upstream again.
LAZY_SYNC_INTERVAL_SECONDS = 300
LAZY_SYNC_KEY = "tickets:dimensions-lazy-sync"
NAME_MAX = 200


@dataclass(frozen=True, kw_only=True)
class DimensionSync:
    created: int
    updated: int
    retired: int


def dimensions_sync() -> DimensionSync:
    """Upsert the upstream's satisfaction dimensions by id; ones it no longer lists stop being
    offered (old surveys keep them). The team's `required` choices are kept.

    Which dimensions there are, and their scales, come from the answer in the team's language
    (OSM_LANGUAGE); the upstream is then asked in each other language for their names only. A
    language that cannot be fetched keeps the names it had.

    Raises UpstreamError when the upstream cannot be asked in the team's language."""
    client = get_client()
    team_language = settings.OSM_LANGUAGE
    upstream = client.satisfaction_dimensions(context=CallContext(language=team_language))
    now = timezone.now()
    usable = [dim for dim in upstream if _dimension_usable(dim)]
    if not usable:
        # An empty answer is more likely a hiccup than a survey without questions.
        logger.warning("the upstream listed no usable satisfaction dimension; kept the local ones")
        return DimensionSync(created=0, updated=0, retired=0)
    texts = {dim.satisfaction_id: {team_language: _text(dim)} for dim in usable}
    for language in LANGUAGES:
        if language != team_language:
            for satisfaction_id, text in _texts_in(language).items():
                if satisfaction_id in texts:
                    texts[satisfaction_id][language] = text
    created = updated = 0
    with transaction.atomic():
        kept = {
            dim.satisfaction_id: dim.texts or {}
            for dim in SatisfactionDimension.objects.filter(satisfaction_id__in=list(texts))
        }
        for dim in usable:
            _, was_created = SatisfactionDimension.objects.update_or_create(
                satisfaction_id=dim.satisfaction_id,
                defaults={
                    "name": dim.name[:NAME_MAX],
                    "description": dim.description,
                    "texts": {**kept.get(dim.satisfaction_id, {}), **texts[dim.satisfaction_id]},
                    "value": dim.value,
                    "per_value": dim.per_value,
                    "category_id": dim.category_id[: limits.SATISFACTION_TEXT_MAX],
                    "category_name": dim.category_name[: limits.SATISFACTION_TEXT_MAX],
                    "offered": True,
                    "synced_at": now,
                },
            )
            created += was_created
            updated += not was_created
        retired = (
            SatisfactionDimension.objects.filter(offered=True)
            .exclude(satisfaction_id__in=[dim.satisfaction_id for dim in usable])
            .update(offered=False, synced_at=now)
        )
    return DimensionSync(created=created, updated=updated, retired=retired)


def _text(dim: UpstreamDimension) -> dict[str, str]:
    return {"name": dim.name[:NAME_MAX], "description": dim.description}


def _texts_in(language: str) -> dict[int, dict[str, str]]:
    """The dimensions' names as the upstream gives them in this language; none if it fails."""
    try:
        answer = get_client().satisfaction_dimensions(context=CallContext(language=language))
    except UpstreamError as exc:
        logger.warning("satisfaction dimensions in %s could not be fetched: %s", language, exc)
        return {}
    return {dim.satisfaction_id: _text(dim) for dim in answer if dim.name}


def _dimension_usable(dim: UpstreamDimension) -> bool:
    usable = (
        0 <= dim.satisfaction_id <= limits.SATISFACTION_ID_MAX
        and 1 <= dim.per_value <= dim.value <= limits.SCORE_MAX
        and dim.value // dim.per_value <= MAX_STARS
    )
    if not usable:
        logger.warning(
            "satisfaction dimension %s not offered: value %s, per_value %s cannot be shown as stars",
            dim.satisfaction_id,
            dim.value,
            dim.per_value,
        )
    return usable


def dimensions_offered(*, fetch_if_empty: bool = False) -> list[SatisfactionDimension]:
    """The dimensions a survey shows. With `fetch_if_empty` (pages that show a survey), the
    first time they are fetched from the upstream; if that fails the survey is left out and the
    upstream asked again a few minutes later. Writes never fetch: they use what was shown."""
    dimensions = list(SatisfactionDimension.objects.filter(offered=True))
    if (
        dimensions
        or not fetch_if_empty
        or not cache.add(LAZY_SYNC_KEY, True, LAZY_SYNC_INTERVAL_SECONDS)
    ):
        return dimensions
    try:
        dimensions_sync()
    except UpstreamError as exc:
        logger.warning("satisfaction dimensions could not be fetched: %s", exc)
        return []
    return list(SatisfactionDimension.objects.filter(offered=True))


def dimensions_require(*, actor: AbstractBaseUser, required_ids: Iterable[int]) -> int:
    """Mark which offered dimensions every survey must rate; returns how many are required."""
    if not actor.has_perm("tickets.change_satisfactiondimension"):
        raise PermissionDenied("You do not have permission to change the survey.")
    required_ids = set(required_ids)
    with transaction.atomic():
        SatisfactionDimension.objects.exclude(satisfaction_id__in=required_ids).update(
            required=False
        )
        return SatisfactionDimension.objects.filter(satisfaction_id__in=required_ids).update(
            required=True
        )
