"""Self-contained HTML pages for untrusted text: the explorer and the intrusion-test sheets.

Report text is scraped from web pages nobody here controls, so a page never puts it into
markup: the text travels as JSON in a ``<script type="application/json">`` block (with ``<``,
``>``, ``&`` and U+2028/2029 escaped, so ``</script>`` or ``<!--`` cannot end or bend the block)
and the page's own script shows it with ``textContent``. A Content-Security-Policy allows
only the page's inlined script and style (by their SHA-256 hashes), no network at all, no
forms, plugins, frames or workers, images only as ``data:`` URLs, and requires Trusted Types
for every HTML sink (``innerHTML``, ``document.write``, ``javascript:`` URLs …) with no policy to
make them: had the page's script a bug that handed report text to such a sink, the browser
refuses it instead of parsing it. Script and style live under ``govtopics/web/``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from importlib import resources
from typing import Any

__all__ = ["script_json", "csp_source", "web_asset", "page", "iframe", "rounded"]

_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: Any) -> str:
    """``data`` as JSON safe inside a ``<script>`` block: no ``<``, ``>``, ``&``, U+2028 or U+2029 left raw.

    Keys are sorted and NaN is refused, so the same data always give the same text.

    >>> script_json({"text": "</script><!--\u2028"})
    '{"text":"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u2028"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    for raw, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


def csp_source(code: str) -> str:
    """The CSP source expression that allows exactly this inline script or style.

    >>> csp_source("")
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def web_asset(name: str) -> str:
    """The text of a script or style under ``govtopics/web/``."""
    return resources.files("govtopics").joinpath("web", name).read_text(encoding="utf-8")


def page(title: str, style: str, script: str, data: Any, lang: str = "zh-Hans") -> str:
    """A complete HTML page: ``title`` escaped, ``data`` as JSON for ``script``, a CSP for exactly this code.

    The script reads the data from the element ``#govtopics-data``. Neither ``style`` nor
    ``script`` may contain report text (they are the package's own files).
    """
    for name, code, end in (("style", style, "</style"), ("script", script, "</script")):
        if end in code.lower() or "<!--" in code:
            raise ValueError(f"the inlined {name} must not contain {end}> or <!--")
    csp = (f"default-src 'none'; script-src {csp_source(script)}; style-src {csp_source(style)}; "
           "img-src data:; base-uri 'none'; form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(lang, quote=True)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=True)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title, quote=False)}</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n"
        '<noscript><p>This page needs JavaScript, which it runs from this file only.</p></noscript>\n'
        '<div id="app"></div>\n'
        f'<script type="application/json" id="govtopics-data">{script_json(data)}</script>\n'
        f"<script>{script}</script>\n</body>\n</html>\n"
    )


def iframe(document: str, height: int = 760, sandbox: str = "allow-scripts") -> str:
    """``document`` inline in a notebook: an ``<iframe srcdoc>`` in a sandbox (no access to the notebook).

    >>> iframe("<p>a &amp; b</p>", height=100)
    '<iframe srcdoc="&lt;p&gt;a &amp;amp; b&lt;/p&gt;" sandbox="allow-scripts" width="100%" height="100" frameborder="0"></iframe>'
    """
    return (f'<iframe srcdoc="{html.escape(document, quote=True)}" sandbox="{html.escape(sandbox, quote=True)}" '
            f'width="100%" height="{int(height)}" frameborder="0"></iframe>')


def rounded(value: float, digits: int = 6) -> float | None:
    """A float with ``digits`` significant digits (the same text on every machine); None for NaN.

    >>> rounded(1 / 3), rounded(float("nan"))
    (0.333333, None)
    """
    value = float(value)
    if math.isnan(value):
        return None
    return float(f"{value:.{digits}g}")
