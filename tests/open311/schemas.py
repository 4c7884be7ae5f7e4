"""JSON schemas of GeoReport v2 responses, written from the spec (wiki.open311.org/GeoReport_v2),
not from our code: field names, types and enumerations as the spec lists them."""

W3C = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
OPT_W3C = {"anyOf": [W3C, {"type": "null"}]}
OPT_STR = {"type": ["string", "null"]}

SERVICES = {"type": "array", "items": {
    "type": "object", "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {"service_code": {"type": "string"}, "service_name": {"type": "string"},
                   "description": {"type": "string"}, "metadata": {"type": "boolean"},
                   "type": {"enum": ["realtime", "batch", "blackbox"]},
                   "keywords": {"type": "string"}, "group": {"type": "string"}}}}

DEFINITION = {"type": "object", "required": ["service_code", "attributes"], "properties": {
    "service_code": {"type": "string"},
    "attributes": {"type": "array", "items": {
        "type": "object",
        "required": ["variable", "code", "datatype", "required", "order", "description"],
        "properties": {
            "variable": {"type": "boolean"}, "code": {"type": "string"},
            "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
            "required": {"type": "boolean"}, "datatype_description": OPT_STR,
            "order": {"type": "integer"}, "description": {"type": "string"},
            "values": {"type": "array", "items": {"type": "object", "required": ["key", "name"],
                                                  "properties": {"key": {}, "name": {"type": "string"}}}}}}}}}

POST_RESPONSE = {"type": "array", "minItems": 1, "items": {
    "type": "object", "anyOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
    "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"},
                   "service_notice": OPT_STR, "account_id": OPT_STR}}}

REQUESTS = {"type": "array", "items": {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"}, "status": {"enum": ["open", "closed"]},
        "status_notes": OPT_STR, "service_name": {"type": "string"}, "service_code": {"type": "string"},
        "description": OPT_STR, "agency_responsible": OPT_STR, "service_notice": OPT_STR,
        "requested_datetime": W3C, "updated_datetime": OPT_W3C, "expected_datetime": OPT_W3C,
        "address": OPT_STR, "address_id": OPT_STR, "zipcode": OPT_STR,
        "lat": {"type": ["number", "null"]}, "long": {"type": ["number", "null"]}, "media_url": OPT_STR}}}

TOKEN = {"type": "array", "items": {"type": "object", "required": ["token"], "properties": {
    "service_request_id": OPT_STR, "token": {"type": "string"}}}}

ERRORS = {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["code", "description"],
                                                  "properties": {"code": {"type": "integer"},
                                                                 "description": {"type": "string"}}}}

DISCOVERY = {"type": "object", "required": ["changeset", "contact", "endpoints"], "properties": {
    "changeset": W3C, "contact": {"type": "string"}, "key_service": {"type": "string"},
    "endpoints": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["specification", "url", "type", "formats"],
        "properties": {"specification": {"const": "http://wiki.open311.org/GeoReport_v2"},
                       "url": {"type": "string"}, "changeset": W3C,
                       "type": {"enum": ["production", "test"]},
                       "formats": {"type": "array", "items": {"type": "string"}}}}}}}

# FixMyStreet's servicerequestupdates extension (mySociety open311-adapter statuses).
EXTENDED_STATUSES = ["open", "closed", "fixed", "in_progress", "action_scheduled", "investigating", "duplicate",
                     "not_councils_responsibility", "no_further_action", "internal_referral"]
UPDATES = {"type": "array", "items": {"type": "object",
                                      "required": ["update_id", "service_request_id", "status", "updated_datetime"],
                                      "properties": {"update_id": {"type": "string"},
                                                     "service_request_id": {"type": "string"},
                                                     "status": {"enum": EXTENDED_STATUSES},
                                                     "updated_datetime": W3C, "description": {"type": "string"},
                                                     "media_url": {"type": "string"}}}}

# XML: the element names of the spec (root → item → children allowed).
XML = {
    "services": ("services", "service", {"service_code", "service_name", "description", "metadata", "type",
                                         "keywords", "group"}),
    "requests": ("service_requests", "request", {
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url", "token", "account_id"}),
    "errors": ("errors", "error", {"code", "description"}),
    "updates": ("service_request_updates", "request_update", {"update_id", "service_request_id", "status",
                                                              "updated_datetime", "description", "media_url"}),
}
