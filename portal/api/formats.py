"""The API's two formats: XML, which Open311 requires, and JSON, its "Spark" mapping.

One structure of dicts and lists is written either way. In XML a list becomes an element
holding one element per item, named in the singular (`<services><service>`,
`<formats><format>`); in JSON it stays a list. True and false are written `true` and
`false`, an empty value an empty element (XML) or null (JSON).
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from flask import Response

FORMATS = ("json", "xml")
MIMETYPES = {"json": "application/json", "xml": "text/xml"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# The element of each item of a list, by the list's name.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def content_type(fmt: str) -> str:
    return f"{MIMETYPES[fmt]}; charset=utf-8"


def render(fmt: str, root: str, data, status: int = 200, headers=None) -> Response:
    """The response holding data, as the root element (XML) or as it is (JSON)."""
    if fmt == "xml":
        body = XML_DECLARATION + ElementTree.tostring(_element(root, data), encoding="unicode")
    else:
        body = json.dumps(data, ensure_ascii=False)
    response = Response(body, status=status, headers=headers)
    response.headers["Content-Type"] = content_type(fmt)
    return response


def _element(name: str, value) -> ElementTree.Element:
    element = ElementTree.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list | tuple):
        for item in value:
            element.append(_element(ITEMS[name], item))
    elif value is not None:
        element.text = _NOT_XML.sub("", _text(value))
    return element


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
