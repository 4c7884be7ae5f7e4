"""JSON and XML bodies with the spec's element names."""
import json
from xml.etree import ElementTree as ET

from flask import Response

#: resource → (root element, element of each item)
ROOTS = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "errors": ("errors", "error"),
    "updates": ("service_request_updates", "request_update"),
}
#: list-valued fields → the element name of each of their items
ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ET.Element, data: dict) -> None:
    for name, value in data.items():
        child = ET.SubElement(parent, name)
        if isinstance(value, dict):
            _fill(child, value)
        elif isinstance(value, list):
            for item in value:
                sub = ET.SubElement(child, ITEMS.get(name, "item"))
                if isinstance(item, dict):
                    _fill(sub, item)
                else:
                    sub.text = _text(item)
        else:
            child.text = _text(value)


def to_xml(resource: str, data) -> bytes:
    """`data` (a list of items, or one object for the definition and discovery) as XML."""
    if resource in ROOTS:
        root_name, item_name = ROOTS[resource]
        root = ET.Element(root_name)
        for item in data:
            _fill(ET.SubElement(root, item_name), item)
    else:
        root = ET.Element(resource)
        _fill(root, data)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, resource: str, data, status: int = 200) -> Response:
    """The body in the asked format."""
    if fmt == "xml":
        return Response(to_xml(resource, data), status=status, content_type="text/xml; charset=utf-8")
    return Response(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8")
