"""All models, imported here so Alembic and the app see every table."""
from app.models.accounts import (  # noqa: F401
    ROLE_LABELS,
    ROLES,
    Enterprise,
    EnterpriseInvitation,
    EnterpriseLicence,
    User,
)
from app.models.audit import AuditEntry  # noqa: F401
from app.models.catalog import (  # noqa: F401
    Agency,
    Jurisdiction,
    Measure,
    Plan,
    PlanImport,
    Responsibility,
    ResponsibilityCorrection,
    Section,
)
from app.models.evaluation import EvaluationChange, EvaluationPeriod, Scorecard  # noqa: F401
from app.models.integration import (  # noqa: F401
    ApiToken,
    IdempotencyRecord,
    Open311Key,
    Open311Request,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.models.notifications import InboxState, Notification, OutboxEmail  # noqa: F401
from app.models.sla import (  # noqa: F401
    CalendarDay,
    CalendarYear,
    Escalation,
    Setting,
    SlaPolicy,
    SlaPolicyChange,
    SupervisionNotice,
    WorkingHours,
)
from app.models.tickets import (  # noqa: F401
    Assignment,
    Attachment,
    ExclusionRequest,
    ExtensionRequest,
    Rating,
    RoutingExample,
    Suspension,
    SuspensionRequest,
    Ticket,
    TicketEvent,
    TicketReturn,
    TicketSequence,
)
from app.models.types import utcnow  # noqa: F401
