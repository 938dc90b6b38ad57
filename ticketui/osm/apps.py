from django.apps import AppConfig


class OsmConfig(AppConfig):
    """The upstream client as a Django app only so that its system check is registered."""

    name = "ticketui.osm"
    label = "osm"
    verbose_name = "Upstream (Huawei Cloud OSM)"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
