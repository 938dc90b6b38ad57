"""Form widgets render through Jinja2 (Django's own widget templates, about three times faster);
a widget whose template only Django's template engine has (the admin's raw-id and related-object
widgets, contrib.auth's password hash) renders through that engine instead of failing."""

from functools import cached_property

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template.exceptions import TemplateDoesNotExist


class FormRenderer(Jinja2):
    @cached_property
    def django_templates(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name: str):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.django_templates.get_template(template_name)
