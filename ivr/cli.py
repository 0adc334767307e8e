"""`flask --app app prompts …`: override what the IVR says (text or recorded audio)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ivr.prompts import DEFAULT_PROMPTS, placeholders
from models import PromptOverride, db

prompts_cli = AppGroup("prompts", help="Override what the IVR says (text or recorded audio).")


@prompts_cli.command("list")
def prompts_list() -> None:
    """Show every prompt key with its current text per language."""
    catalog = current_app.extensions["prompts"]
    catalog.invalidate()
    for key in DEFAULT_PROMPTS:
        for lang in ("vi", "en"):
            text = DEFAULT_PROMPTS[key][lang]
            speech = catalog.speech(db.session, key, lang, **{name: "{" + name + "}" for name in _names(text)})
            click.echo(f"{key:20} {lang}  {speech.audio_url or speech.text}")


def _names(text: str) -> set[str]:
    return placeholders(text)


@prompts_cli.command("set")
@click.argument("key")
@click.argument("language", type=click.Choice(["vi", "en"]))
@click.option("--text", default=None, help="New text; must keep the default's {placeholders}.")
@click.option("--audio-url", default=None, help="A recorded prompt to play instead (prompts without placeholders).")
def prompts_set(key: str, language: str, text: str | None, audio_url: str | None) -> None:
    """Override one prompt in one language."""
    if key not in DEFAULT_PROMPTS:
        raise click.ClickException(f"Unknown prompt {key!r}; see `prompts list`.")
    needed = placeholders(DEFAULT_PROMPTS[key][language])
    if text is not None and placeholders(text) != needed:
        raise click.ClickException(f"The text must use exactly these placeholders: {sorted(needed) or 'none'}.")
    if audio_url and needed:
        raise click.ClickException(
            "This prompt speaks numbers ({}); it can only be changed as text.".format(", ".join(sorted(needed)))
        )
    if audio_url and not audio_url.startswith(("https://", "http://")):
        raise click.ClickException("The audio URL must be an http(s) URL Twilio can fetch.")
    row = db.session.scalars(
        select(PromptOverride).where(PromptOverride.key == key, PromptOverride.language == language)
    ).first()
    if row is None:
        row = PromptOverride(key=key, language=language, updated_at=current_app.extensions["clock"].now())
        db.session.add(row)
    row.text, row.audio_url, row.updated_at = text, audio_url, current_app.extensions["clock"].now()
    db.session.commit()
    current_app.extensions["prompts"].invalidate()
    click.echo(f"prompt {key}/{language} overridden")
