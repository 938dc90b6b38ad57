"""Choice labels for rows shown by the hundred.

Django's generated `get_FOO_display()` rebuilds a dict of every choice on each call, translating
each lazy label to hash it; a page of 50 audit rows paid for a thousand translations. Models whose
choices are shown per row define `get_FOO_display()` with `choice_label`, which looks the value up
in a dict built once per choices class and translates only the one label shown."""

from functools import cache

from django.db.models import Choices


@cache
def _labels(choices: type[Choices]) -> dict:
    return {member.value: member.label for member in choices}


def choice_label(choices: type[Choices], value) -> str:
    """The value's label in the active language; a value without a label as it is."""
    label = _labels(choices).get(value)
    return value if label is None else str(label)
