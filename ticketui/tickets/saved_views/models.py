"""A saved view of the ticket list: a name for one of its query strings, kept by one user and
optionally shared with the team. The URL stays the state: a saved view is a link to the list
with its query string, so any filter the list learns is covered without a change here."""

from django.conf import settings
from django.db import models
from django.urls import reverse

NAME_MAX = 60
QUERY_MAX = 1000


class SavedView(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=NAME_MAX)
    # The list's query string as the list understood it (no page number), e.g. "owner=me&age=7d".
    query = models.CharField(max_length=QUERY_MAX, blank=True)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_owner_name")
        ]
        indexes = [models.Index(fields=["shared", "name"], name="saved_view_shared")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        url = reverse("tickets:list")
        return f"{url}?{self.query}" if self.query else url
