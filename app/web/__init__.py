"""Web helpers shared by the blueprints: i18n, access control, pagination, errors."""
