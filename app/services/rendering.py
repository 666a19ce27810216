"""User-written text to safe HTML: Markdown without raw HTML, then sanitised by nh3 (Ammonia),
so a description containing <script> is shown as text, never run."""
import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})


def render_markdown(text: str | None) -> Markup:
    html = _md.render(text or "")
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))
