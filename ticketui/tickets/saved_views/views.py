"""Saved view pages: saving the list's filter from the list, and the page where one's views are
renamed, shared or deleted (and shared ones removed by a team lead)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from .forms import SavedViewChangeForm, SavedViewForm
from .selectors import saved_view_query, saved_views_for
from .services import saved_view_change, saved_view_create, saved_view_delete

SAVED = gettext_noop("Saved the view “%(name)s”.")
CHANGED = gettext_noop("Changed the view “%(name)s”.")
DELETED = gettext_noop("Deleted the view “%(name)s”.")


def _flash_errors(request, errors) -> None:
    for error in errors:
        messages.error(request, error)


@require_POST
@permission_required("tickets.view_ticket", raise_exception=True)
def saved_view_create_view(request) -> HttpResponse:
    form = SavedViewForm(request.POST)
    query = saved_view_query(QueryDict(request.POST.get("query", "")))
    if not form.is_valid():
        _flash_errors(request, [e for errors in form.errors.values() for e in errors])
        return redirect(f"{reverse('tickets:list')}?{query}")
    try:
        view = saved_view_create(
            owner=request.user,
            name=form.cleaned_data["name"],
            query=query,
            shared=form.cleaned_data["shared"],
        )
    except ValidationError as exc:
        _flash_errors(request, exc.messages)
        return redirect(f"{reverse('tickets:list')}?{query}")
    messages.success(request, _(SAVED) % {"name": view.name})
    return redirect(view.get_absolute_url())


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def saved_view_list_view(request) -> HttpResponse:
    views = list(saved_views_for(viewer=request.user))
    own = [view for view in views if view.owner_id == request.user.pk]
    for view in own:
        view.form = SavedViewChangeForm(
            initial={"name": view.name, "shared": view.shared}, prefix=f"view-{view.pk}"
        )
    others = [view for view in views if view.owner_id != request.user.pk]
    return render(request, "tickets/views/list.html", {"own": own, "others": others})


@require_POST
@permission_required("tickets.view_ticket", raise_exception=True)
def saved_view_change_view(request, pk: int) -> HttpResponse:
    view = get_object_or_404(saved_views_for(viewer=request.user), pk=pk)
    form = SavedViewChangeForm(request.POST, prefix=f"view-{view.pk}")
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        view = saved_view_change(actor=request.user, view=view, **form.cleaned_data)
    except ValidationError as exc:
        _flash_errors(request, exc.messages)
    else:
        messages.success(request, _(CHANGED) % {"name": view.name})
    return redirect("tickets:views")


@require_POST
@permission_required("tickets.view_ticket", raise_exception=True)
def saved_view_delete_view(request, pk: int) -> HttpResponse:
    view = get_object_or_404(saved_views_for(viewer=request.user), pk=pk)
    saved_view_delete(actor=request.user, view=view)
    messages.success(request, _(DELETED) % {"name": view.name})
    return redirect("tickets:views")
