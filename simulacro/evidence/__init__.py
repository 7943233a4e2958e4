"""Evidence: drill timelines, inventories, the JSON bundle and the HTML views of them."""

from .redact import redact, redact_text
from .scorecard import scorecard
from .timeline import DrillRecord, Entry
from .views import drill_html, inventory_html, scorecard_html

__all__ = [
    "DrillRecord",
    "Entry",
    "drill_html",
    "inventory_html",
    "redact",
    "redact_text",
    "scorecard",
    "scorecard_html",
]
