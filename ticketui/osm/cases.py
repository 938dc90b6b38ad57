"""The upstream's reads of tickets (osm-api.md §3): list, detail, status, counts, operate-log and
the satisfaction dimensions; part of OsmClient, sent through its transport."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from . import parsing
from .parsing import int_or as _int_or
from .parsing import int_or_none as _int_or_none
from .results import CaseDetail, CasePage, OperateLogPage, SatisfactionDimension, StatusCount

if TYPE_CHECKING:
    from .client import CallContext


class CaseCalls:
    """Mixed into OsmClient, which gives `_read` and `_case_path`."""

    def case_detail(self, case_id: str, *, context: CallContext | None = None) -> CaseDetail:
        data = self._read(self._case_path(case_id), context=context)
        info = data.get("incident_detail_info") if isinstance(data, dict) else None
        if not isinstance(info, dict):
            info = {}
        return parsing.case_detail(info, fallback_case_id=case_id)

    def case_status(self, case_id: str, *, context: CallContext | None = None) -> int | None:
        data = self._read(f"{self._case_path(case_id)}/status", context=context)
        return _int_or_none(data.get("status")) if isinstance(data, dict) else None

    def case_list(
        self,
        *,
        offset: int = 0,
        limit: int = 100,
        status: int | None = None,
        query_start_time: str = "",
        query_end_time: str = "",
        context: CallContext | None = None,
    ) -> CasePage:
        params: dict[str, Any] = {"offset": offset, "limit": min(limit, 100)}
        if status is not None:
            params["status"] = status
        if query_start_time:
            params["query_start_time"] = query_start_time
        if query_end_time:
            params["query_end_time"] = query_end_time
        data = self._read(f"/v2/servicerequest/cases?{urlencode(params)}", context=context)
        data = data if isinstance(data, dict) else {}
        items = data.get("incident_info_list") or []
        cases = tuple(parsing.case_summary(item) for item in parsing.dicts(items))
        return CasePage(total_count=_int_or_none(data.get("total_count")) or 0, cases=cases)

    def satisfaction_dimensions(
        self, *, context: CallContext | None = None
    ) -> list[SatisfactionDimension]:
        data = self._read("/v2/servicerequest/config/satisfaction-dimensions", context=context)
        items = data.get("satisfaction_dimension_list") if isinstance(data, dict) else None
        dimensions = []
        for item in items or []:
            if not isinstance(item, dict) or _int_or_none(item.get("satisfaction_id")) is None:
                continue
            dimensions.append(
                SatisfactionDimension(
                    satisfaction_id=int(item["satisfaction_id"]),
                    name=str(item.get("satisfaction_name") or ""),
                    description=str(item.get("satisfaction_desc") or ""),
                    value=_int_or(item.get("value"), 5),
                    per_value=_int_or(item.get("per_value"), 1),
                    category_id=str(item.get("sat_category_id") or ""),
                    category_name=str(item.get("sat_category_name") or ""),
                )
            )
        return dimensions

    def case_counts(
        self, *, status: int | None = None, context: CallContext | None = None
    ) -> tuple[StatusCount, ...]:
        """How many tickets the upstream holds per status (`GET …/cases/count`)."""
        query = "" if status is None else f"?{urlencode({'status': status})}"
        data = self._read(f"/v2/servicerequest/cases/count{query}", context=context)
        items = data.get("incident_status_counts") if isinstance(data, dict) else None
        return tuple(
            StatusCount(
                status=_int_or_none(item.get("status")),
                count=_int_or_none(item.get("count")) or 0,
                raw=dict(item),
            )
            for item in items or []
            if isinstance(item, dict)
        )

    def case_operate_logs(
        self,
        case_id: str,
        *,
        offset: int = 0,
        limit: int = 100,
        group_id: str = "",
        context: CallContext | None = None,
    ) -> OperateLogPage:
        """The upstream's own log of what was done to the ticket, oldest first. The documented
        list key is `incident_operate_log_list`; the sandbox's shorter names are read too."""
        params: dict[str, Any] = {"offset": offset, "limit": max(1, min(limit, 100))}
        if group_id:
            params["group_id"] = group_id
        data = self._read(
            f"{self._case_path(case_id)}/operate-logs?{urlencode(params)}", context=context
        )
        data = data if isinstance(data, dict) else {}
        items = data.get("incident_operate_log_list") or data.get("operate_log_list") or []
        entries = tuple(parsing.operate_log_entry(item) for item in parsing.dicts(items))
        return OperateLogPage(
            total_count=_int_or_none(data.get("total_count")) or 0, entries=entries
        )
