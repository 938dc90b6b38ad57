"""The upstream's documented field limits (osm-api.md §1), shared by forms, services and the sandbox."""

CASE_ID_MAX = 64
ACTION_ID_MAX = 64
TEXT_MAX = 400  # judgement, operate_desc
GROUP_ID_MAX = 64
TOKEN_MAX = 5000
SATISFACTION_ID_MAX = 9999
SCORE_MAX = 65535  # satisfaction_value, value, per_value
SATISFACTION_TEXT_MAX = 32  # satisfaction_name, sat_category_id, sat_category_name
SATISFACTION_ENTRIES_MAX = 100
