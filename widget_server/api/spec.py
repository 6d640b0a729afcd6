"""The OpenAPI 3.1 document of every endpoint, kept in this one place."""

from typing import Any

ID = {"type": "string", "pattern": "^O-[A-Za-z0-9]{7}$", "examples": ["O-aB3dE9z"]}
TIME = {"type": "string", "format": "date-time"}


def nullable(schema: dict) -> dict:
    """Allow null beside schema."""
    return {"anyOf": [schema, {"type": "null"}]}


def error(description: str, challenge: bool = False) -> dict:
    """Describe an error answered with the JSON envelope."""
    answer = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if challenge:
        answer["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return answer


def ok(data: dict, description: str = "The row") -> dict:
    """Describe a 200 envelope carrying data."""
    envelope = {
        "type": "object",
        "required": ["status", "message", "data"],
        "properties": {"status": {"const": 200}, "message": {"const": "ok"}, "data": data},
    }
    return {"description": description, "content": {"application/json": {"schema": envelope}}}


def json_body(schema: dict) -> dict:
    """Describe a required JSON request body."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def secured(scope: str, responses: dict[str, Any], **operation: Any) -> dict[str, Any]:
    """Describe an operation behind a Bearer key with scope, with the errors every one shares."""
    return {
        "security": [{"bearerAuth": []}],
        "description": f"Needs an API key with the scope `{scope}`.",
        **operation,
        "responses": {
            **responses,
            "400": error("A parameter or the body is invalid; the message says which"),
            "401": error("Missing, unknown or revoked API key", challenge=True),
            "403": error(f"The API key lacks the scope {scope}", challenge=True),
        },
    }


def query(name: str, schema: dict, description: str) -> dict:
    """Describe an optional query parameter."""
    return {"name": name, "in": "query", "schema": schema, "description": description}


ROW = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "correlation_id", "device_id", "created_at", "correlated_at", "click_url",
        "parsed_params", "ip_address", "user_agent", "lead_type",
    ],
    "properties": {
        "correlation_id": ID,
        "device_id": nullable({"type": "string"}),
        "created_at": TIME,
        "correlated_at": nullable(TIME),
        "click_url": nullable({"type": "string"}),
        "parsed_params": {"type": "object", "additionalProperties": {"type": "string"}},
        "ip_address": nullable({"type": "string"}),
        "user_agent": nullable({"type": "string"}),
        "lead_type": nullable({"type": "string", "maxLength": 64}),
    },
}  # fmt: skip
ERROR = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status", "message", "data"],
    "properties": {
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "message": {"type": "string"},
        "data": {"type": "null"},
    },
}
PAGE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status", "message", "data", "has_more", "next_cursor"],
    "properties": {
        "status": {"const": 200},
        "message": {"const": "ok"},
        "data": {"type": "array", "maxItems": 100, "items": {"$ref": "#/components/schemas/Row"}},
        "has_more": {"type": "boolean"},
        "next_cursor": nullable({"type": "string"}),
    },
}
ROW_ID = {"name": "correlation_id", "in": "path", "required": True, "schema": ID}
# Text fields: not blank, no NUL (which PostgreSQL cannot store).
# Blank means ASCII white space only, as api/body.py decides: regex engines disagree on \s.
TEXT = {"type": "string", "minLength": 1, "pattern": "^[^\\x00]*[^\\x00\\t\\n\\v\\f\\r ][^\\x00]*$"}
WHATSAPP_ID = {
    "type": "string",
    "pattern": "^([0-9]{1,32}|[A-Z]{2}\\.(ENT\\.)?[A-Za-z0-9]{1,128})$",
    "description": "The user id: a business-scoped user id (BSUID), or the phone number",
}
WHATSAPP_PHONE = nullable(
    {"type": "string", "pattern": "^[0-9]{1,32}$", "description": "When Meta sent it"}
)
CORRELATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["correlation_id", "whatsapp_id", "message_id"],
    "properties": {
        "correlation_id": {
            "type": "string",
            "pattern": "^[Oo]-[A-Za-z0-9]{7}$",
            "description": "As found in the message; matched case-insensitively when unambiguous",
        },
        "whatsapp_id": WHATSAPP_ID,
        "whatsapp_phone": WHATSAPP_PHONE,
        "message_id": {**TEXT, "maxLength": 200},
        "profile_name": nullable({**TEXT, "maxLength": 200}),
    },
}
LEAD = {
    "type": "object",
    "additionalProperties": False,
    "required": ["lead_type"],
    "properties": {
        "lead_type": nullable({**TEXT, "maxLength": 64}),
        "value": {"type": "number", "minimum": 0, "maximum": 1e12},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217"},
    },
    # The value of a sale goes with its currency, and with a lead type.
    "dependentRequired": {"value": ["currency"], "currency": ["value"]},
    "if": {"required": ["value"]},
    "then": {"properties": {"lead_type": {"type": "string"}}},
}
REFERRAL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["whatsapp_id", "message_id", "referral"],
    "properties": {
        "whatsapp_id": WHATSAPP_ID,
        "whatsapp_phone": WHATSAPP_PHONE,
        "message_id": {**TEXT, "maxLength": 200},
        "profile_name": nullable({**TEXT, "maxLength": 200}),
        "referral": {
            "type": "object",
            "description": "The ids of the first message's `referral`, as Meta sends them",
            "additionalProperties": False,
            "required": ["ctwa_clid"],
            "properties": {
                "ctwa_clid": {**TEXT, "maxLength": 512},
                "source_id": nullable({**TEXT, "maxLength": 200}),
                "source_type": nullable({**TEXT, "maxLength": 32}),
                "source_url": nullable(
                    {"type": "string", "pattern": "^https?://[^\\x00]*$", "maxLength": 2048}
                ),
            },
        },
    },
}
# What erasure and export name a person by: the widget's device id, or the WhatsApp id.
DEVICE_ID = {"type": "string", "pattern": "^[\\x21-\\x7e]{1,128}$"}
WHATSAPP_ID = {"type": "string", "pattern": "^[\\x21-\\x7e]{1,135}$"}
ERASURE = {
    "oneOf": [
        {"type": "object", "additionalProperties": False, "required": [name],
         "properties": {name: schema}}
        for name, schema in (("device_id", DEVICE_ID), ("whatsapp_id", WHATSAPP_ID))
    ],
}  # fmt: skip
ERASED = {
    "type": "object",
    "additionalProperties": False,
    "required": ["erased"],
    "properties": {
        "erased": {
            "type": "array",
            "items": ID,
            "description": "The correlation IDs of the sessions erased; none if nothing matched",
        }
    },
}
EXPORT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sessions", "correlation_conflicts", "webhook_events"],
    "properties": {
        "sessions": {
            "type": "array",
            "description": "Every stored column of each session, internal keys aside",
            "items": {
                "type": "object",
                "required": ["correlation_id", "device_id", "ip_address", "whatsapp_id"],
                "properties": {"correlation_id": ID},
            },
        },
        "correlation_conflicts": {
            "type": "array",
            "description": "Messages refused because another sender had linked the reference",
            "items": {"type": "object"},
        },
        "webhook_events": {
            "type": "array",
            "description": "Every webhook body about the sessions, with where it went",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["event_id", "event_type", "created_at", "data", "deliveries"],
                "properties": {
                    "event_id": {"type": "string"},
                    "event_type": {"type": "string"},
                    "created_at": TIME,
                    "data": {"type": "object"},
                    "deliveries": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}
