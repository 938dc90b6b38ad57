"""Form widgets render through Jinja2 (Django's own widget templates, about three times faster);
a widget whose template only Django's template engine has (the admin's raw-id and related-object
widgets, contrib.auth's password hash) renders through that engine instead of failing.

The select, input and textarea templates are the project's (templates/form_widgets): Django's
markup, with a select's options and every widget's attributes drawn in the one template rather
than by a template included per option and per attribute list."""

from functools import cached_property
from pathlib import Path

import django.forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template.exceptions import TemplateDoesNotExist

DJANGO_WIDGETS = Path(django.forms.__file__).parent / "jinja2"


class FormRenderer(Jinja2):
    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [settings.BASE_DIR / "templates" / "form_widgets", DJANGO_WIDGETS],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )

    @cached_property
    def django_templates(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.django_templates.get_template(template_name)
