"""The collected static files read once per test process.

WhiteNoise's middleware walks STATIC_ROOT and stats every file (and its compressed variants)
each time it is created, and every test client creates its own middleware: that walk was about
a third of the suite's time. The tests collect the static files once, before any test, and never
change them, so one walk per process and per configuration is the same answer. A test that
changes a WhiteNoise setting, STATIC_URL or the static files storage gets a walk of its own.
"""

from django.conf import settings
from whitenoise.base import WhiteNoise

_original_update_files_dictionary = WhiteNoise.update_files_dictionary
_walked: dict[tuple, dict] = {}


def _configuration(whitenoise: WhiteNoise, root: str, prefix: str) -> tuple:
    immutable = getattr(whitenoise, "immutable_file_test", None)
    return (
        type(whitenoise),
        root,
        prefix,
        whitenoise.max_age,
        whitenoise.allow_all_origins,
        whitenoise.charset,
        whitenoise.add_headers_function,
        whitenoise.index_file,
        getattr(immutable, "__func__", immutable),
        repr(getattr(settings, "WHITENOISE_MIMETYPES", None)),
        getattr(whitenoise, "static_prefix", None),
        settings.STATIC_URL,
        repr(settings.STORAGES.get("staticfiles")),
    )


def _update_files_dictionary_once(self: WhiteNoise, root: str, prefix: str) -> None:
    key = _configuration(self, root, prefix)
    if key not in _walked:
        before = dict(self.files)
        _original_update_files_dictionary(self, root, prefix)
        _walked[key] = {
            url: static_file
            for url, static_file in self.files.items()
            if before.get(url) is not static_file
        }
    self.files.update(_walked[key])


def static_files_read_once() -> None:
    """From now on in this process, WhiteNoise walks each static root once."""
    WhiteNoise.update_files_dictionary = _update_files_dictionary_once
