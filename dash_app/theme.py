"""Colours (WCAG AA on white, checked in tests/unit/test_dash_figures.py) and band helpers.

Text colours reach >= 4.5:1 against white; the decision is never shown by
colour alone (icon + word everywhere).
"""

from __future__ import annotations

GREEN = "#1e6b34"   # approve
ORANGE = "#8a4b00"  # review (advisor's discretion)
RED = "#b00020"     # decline
# Lighter fills for the gauge's background bands (graphics, not text: 3:1 not required for fills).
GREEN_FILL = "#cfe8d6"
ORANGE_FILL = "#f6dfbf"
RED_FILL = "#f3c7cd"
INK = "#1a1a1a"
MUTED = "#495057"
BLUE = "#1f4e99"      # "repaid" series
BROWN = "#8a4b00"     # "default" series (also hatched)
HEADER_FILL = "#e9ecef"

FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
#: the look of every data table (clients list, similar clients): keyword arguments of dash_table.DataTable
TABLE_STYLE = {
    "style_table": {"overflowX": "auto"},
    "style_header": {"backgroundColor": HEADER_FILL, "color": INK, "fontWeight": "700"},
    "style_cell": {"fontFamily": FONT_STACK, "fontSize": "0.95rem", "padding": "6px 10px", "color": INK,
                   "textAlign": "left"},
}

# The bands' score ranges are the service's (``GET /model`` -> ``bands``); only their colours live here.
BAND_OF_DECISION = {"approve": "green", "review": "orange", "decline": "red"}
COLOUR_OF_BAND = {"green": GREEN, "orange": ORANGE, "red": RED}
FILL_OF_BAND = {"green": GREEN_FILL, "orange": ORANGE_FILL, "red": RED_FILL}
ICON_OF_DECISION = {"approve": "✔", "review": "⚠", "decline": "✖"}


def band_of(decision: str | None) -> str | None:
    return BAND_OF_DECISION.get(decision or "")


def colour_of(decision: str | None) -> str:
    return COLOUR_OF_BAND.get(band_of(decision) or "", INK)


def _channel(c: int) -> float:
    v = c / 255
    return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(fg: str, bg: str = "#ffffff") -> float:
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)
