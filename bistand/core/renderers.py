"""The form renderer: Django's own Jinja2 form templates, about a third of the CPU of the same
templates in the Django template language (the case page renders some 35 widgets per view;
issue #15, docs/PERFORMANCE.md). Widgets whose templates exist only as Django templates (the
admin's related-object wrapper, the auth app's password field) fall back to those."""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self._jinja = Jinja2()
        self._django = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self._jinja.get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
