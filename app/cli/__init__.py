"""Flask CLI commands: one module per operational area, registered here."""


def register(app) -> None:
    from app.cli import calendar, demo, evaluation, plans, routing, sla, users

    for module in (users, plans, demo, routing, calendar, sla, evaluation):
        for command in module.COMMANDS:
            app.cli.add_command(command)
