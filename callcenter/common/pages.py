"""A room's page blueprint: its pages under /supervisor, its own templates/ and static/ folders."""

from __future__ import annotations

from flask import Blueprint


def room_pages(name: str, import_name: str, room: str, url_prefix: str = "/supervisor") -> Blueprint:
    """The blueprint of a room's pages; its static files are served at {url_prefix}/static/{room}/."""
    return Blueprint(
        name,
        import_name,
        url_prefix=url_prefix,
        template_folder="templates",
        static_folder="static",
        static_url_path=f"/static/{room}",
    )
