"""`notify-test`: is the mail server set up right? One test message, and what the server said."""

from __future__ import annotations

import click

from kiosk.cli.common import BadInput, CliState


@click.command("notify-test")
@click.argument("address")
@click.pass_obj
def notify_test(state: CliState, address: str) -> None:
    """Send one test message to ADDRESS through the [notify] settings and print what the mail
    server said. Exit 0 when it accepted the message, 1 when not."""
    from kiosk.bootstrap import read_settings
    from kiosk.notify.delivery import SendFailed
    from kiosk.notify.trial import send_test_message
    from kiosk.settings.config import looks_like_address

    if not looks_like_address(address):
        raise BadInput(f"not an e-mail address: {address!r}")
    _, config = read_settings(state.data_dir, state.config_file)
    notify = config.notify
    if not notify.on:
        raise click.ClickException(
            "notification is off: set notify.smtp_host (and the other [notify] keys) first"
        )
    server = f"{notify.smtp_host}:{notify.smtp_port} ({notify.smtp_security})"
    try:
        accepted = send_test_message(config, address)
    except SendFailed as failure:
        raise click.ClickException(f"{server} did not take the message: {failure}") from None
    click.echo(f"{server} accepted the message: {accepted.code} {accepted.reply}")
