"""Routing of enterprise appeals to the responsible agency (pure Python, no Flask/SQLAlchemy)."""
from .infer import infer_responsibilities
from .lexicon import AgencyEntry, Lexicon, LexiconError, load_lexicon
from .models import Candidate, CatalogMeasure, CatalogResponsibility, Decision, Example, RoutingInputError
from .normalize import normalize
from .router import Router

__all__ = [
    "AgencyEntry", "Candidate", "CatalogMeasure", "CatalogResponsibility", "Decision", "Example",
    "Lexicon", "LexiconError", "Router", "RoutingInputError", "infer_responsibilities", "load_lexicon",
    "normalize",
]
