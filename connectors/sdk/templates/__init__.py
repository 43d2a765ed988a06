"""Element templates for the Camunda modeler, generated from a connector's input model.

Example::

    from connectors.sdk.templates import element_template

    template = element_template(my_connector)  # a dict, ready for json.dumps
"""

from connectors.sdk.templates.errors import TemplateError
from connectors.sdk.templates.generator import (
    CATEGORY,
    ENGINES,
    SCHEMA_URL,
    element_template,
    template_id_of,
)

__all__ = [
    "CATEGORY",
    "ENGINES",
    "SCHEMA_URL",
    "TemplateError",
    "element_template",
    "template_id_of",
]
