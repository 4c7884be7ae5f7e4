"""Flask CLI commands: one module per operational area, registered here."""


def register(app) -> None:
    from app.cli import demo, plans, users

    for module in (users, plans, demo):
        for command in module.COMMANDS:
            app.cli.add_command(command)
