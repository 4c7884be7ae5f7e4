"""Flask CLI commands: one module per operational area, registered here."""


def register(app) -> None:
    from app.cli import calendar, demo, evaluation, open311, plans, routing, sla, users

    for module in (users, plans, demo, routing, calendar, sla, evaluation, open311):
        for command in module.COMMANDS:
            app.cli.add_command(command)
