"""The one exception the monitor package raises for input it cannot use."""

from simulacro.errors import BadInput


class MonitorInputError(BadInput):
    """A statistics, constraints, columns or schedule input that does not fit the documented format.

    The message names the document, the path inside it and what was expected, e.g.
    ``constraints.json: features[2].inferred_type: expected one of ..., got 'Float'``.
    """
