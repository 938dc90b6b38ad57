"""The upstream's labels (osm-conversation.md): the account's, and those on one ticket.
OsmClient inherits these calls, as it does conversation.py's, and they use its transport."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from . import limits, parsing
from .conversation import SERVICE, page_params
from .results import Label, LabelPage

if TYPE_CHECKING:
    from .client import CallContext


class LabelCalls:
    """Mixed into OsmClient; not used on its own."""

    if TYPE_CHECKING:  # provided by OsmClient
        _read: Callable[..., Any]

        @staticmethod
        def _case_path(case_id: str) -> str: ...

    def list_labels(
        self,
        *,
        offset: int = 0,
        limit: int = limits.PAGE_LIMIT_MAX,
        name: str = "",
        label_id: int | None = None,
        context: "CallContext | None" = None,
    ) -> LabelPage:
        """ListLabels: the account's labels; `name` matches fuzzily upstream."""
        params: dict[str, Any] = page_params(offset, limit)
        if name:
            params["name"] = name[: limits.LABEL_NAME_MAX]
        if label_id is not None:
            params["label_id"] = label_id
        data = self._read(f"{SERVICE}/labels?{urlencode(params)}", context=context)
        data = data if isinstance(data, dict) else {}
        return LabelPage(
            total_count=parsing.int_or(data.get("total_count"), 0),
            labels=parsing.labels(data.get("label_list")),
        )

    def list_case_labels(
        self, case_id: str, *, context: "CallContext | None" = None
    ) -> tuple[Label, ...]:
        """ListCaseLabels: the labels on one ticket."""
        data = self._read(f"{self._case_path(case_id)}/labels", context=context)
        return parsing.labels(data.get("case_label_list") if isinstance(data, dict) else None)
