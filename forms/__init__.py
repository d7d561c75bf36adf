"""User-task forms: one marshmallow schema per form key, found through ``FORMS``.

Every module of this package is imported here so that its ``@form`` registrations run;
a new form module needs no other wiring.
"""

from __future__ import annotations

import importlib
import pkgutil

from forms.base import FORMS, FormSchema, form, meta

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["FORMS", "FormSchema", "form", "meta"]
