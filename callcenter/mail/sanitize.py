"""HTML from the outside made safe to show (nh3, the maintained Rust `ammonia` sanitiser), and the text a
person reads when a mail has no text/plain part."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

import nh3

# No images: a remote one is a tracking pixel (it tells the sender that, and when, an agent read the mail),
# and an inline one (cid:) cannot be shown from here anyway.
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img"}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
BLOCKS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "hr", "ul", "ol"}
)


def safe_html(html: str) -> str:
    """Only harmless tags and attributes: no script, style, event handlers, forms, images or javascript: links."""
    return nh3.clean(html, tags=set(ALLOWED_TAGS), url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of an HTML body, paragraphs on their own lines."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return normal_text(re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip())


def normal_text(text: str) -> str:
    """NFC (windows-1258 writes Vietnamese tones as combining marks), no NULs, Unix line ends."""
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)
