"""JSON shapes of the REST API (the OpenAPI document describes the same shapes)."""
from flask import url_for

from app.services import handling
from app.services import tickets as core
from app.services.webhooks import iso
from app.web.labels import event_note, label_table, routing_in_language


def agency(a) -> dict | None:
    return None if a is None else {"id": a.id, "name": a.name, "jurisdiction": a.jurisdiction, "kind": a.kind}


def assignment(a) -> dict:
    return {"id": a.id, "agency": agency(a.agency), "role": a.role, "state": a.state, "active": a.active,
            "cycle": a.cycle, "created_at": iso(a.created_at), "signed_at": iso(a.signed_at),
            "replied_at": iso(a.replied_at), "sign_due_at": iso(a.sign_due_at),
            "resolve_due_at": iso(a.resolve_due_at)}


def ticket_summary(t) -> dict:
    return {
        "id": t.id, "number": t.number, "jurisdiction": t.jurisdiction, "state": t.state,
        "state_label": label_table("state").get(t.state, t.state), "kind": t.kind, "topic": t.topic,
        "title": t.title, "urgent": t.urgent, "lead_agency": agency(t.lead_agency),
        "created_at": iso(t.created_at), "updated_at": iso(t.updated_at), "version": t.version,
        "self": url_for("api.v1.get_ticket", ticket_id=t.id),
    }


def ticket(t, viewer) -> dict:
    """The full ticket as `viewer` may see it (the phone masked unless the viewer owns it)."""
    out = ticket_summary(t)
    phone = t.contact_phone
    if phone and not handling.may_see_phone(viewer, t):
        from app.web.i18n import mask_phone

        phone = mask_phone(phone)
    lead = core.lead_assignment(t)
    out.update({
        "description": t.description, "district": t.district, "public": t.public,
        "enterprise": {"name": t.enterprise.name, "uscc": t.enterprise.uscc},
        "contact_name": t.contact_name, "contact_phone": phone,
        "reply": t.reply, "replied_at": iso(t.replied_at), "closed_at": iso(t.closed_at),
        "resolve_due_at": iso(lead.resolve_due_at) if lead is not None else None,
        "assignments": [assignment(a) for a in t.assignments if a.active] if viewer.role != "enterprise" else [],
        "ratings": [{"resolved": r.resolved, "satisfaction": r.satisfaction, "comment": r.comment,
                     "auto": r.auto, "created_at": iso(r.created_at)} for r in t.ratings],
        "routing": routing_in_language(t.routing) if viewer.role in ("dispatcher", "supervisor") else None,
    })
    return out


def event(e) -> dict:
    return {"id": e.id, "action": e.action, "from_state": e.from_state, "to_state": e.to_state,
            "actor_role": e.actor_role, "agency": agency(e.agency),
            "note": event_note(e),
            "internal": bool(e.internal), "created_at": iso(e.created_at)}
