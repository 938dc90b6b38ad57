"""The admin site: Django's, with the second factor required and a few of its parameters checked
before its views read them."""

from functools import wraps

from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR
from django_otp.admin import OTPAdminSite


class DashboardAdminSite(OTPAdminSite):
    """Admits only sessions that gave the second factor (django-otp's site). An empty
    `_to_field` is refused as any field the admin may not be referenced by is: Django's change
    page checks the field only when the value is not empty and then looks up a field named ""
    (a server error)."""

    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            if "" in (request.GET.get(TO_FIELD_VAR), request.POST.get(TO_FIELD_VAR)):
                raise DisallowedModelAdminToField("The field '' cannot be referenced.")
            return checked(request, *args, **kwargs)

        return inner
