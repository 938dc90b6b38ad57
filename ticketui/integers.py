"""Whole numbers read from URLs and forms. str.isdigit() and int() also take '²' or '٣', and a
number past 64 bits overflows the database driver; both come to a clear "not a number" here."""

from django import forms

# The largest value a 64-bit (BIGINT / SQLite INTEGER) id column holds; 32-bit for IntegerField.
ID_MAX = 2**63 - 1
INTEGER_COLUMN_MAX = 2**31 - 1


def ascii_integer(text: str | None, *, minimum: int, maximum: int) -> int | None:
    """The number written in ASCII digits in `text`, when it is within the bounds; else None."""
    text = (text or "").strip()
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(ID_MAX)):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def id_from_text(text: str | None) -> int | None:
    """A database id (1 and up, ASCII digits) or None."""
    return ascii_integer(text, minimum=1, maximum=ID_MAX)


class IdListField(forms.TypedMultipleChoiceField):
    """Ids of rows that may or may not exist: any posted value is accepted, and those that cannot
    be an id (not ASCII digits, zero, past 64 bits) are left out, as ids of no row."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, choices=(), **kwargs)

    def valid_value(self, value) -> bool:
        return True

    def _coerce(self, value):
        return [number for text in value or [] if (number := id_from_text(str(text))) is not None]
