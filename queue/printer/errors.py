"""Our printer errors: device and library failures become these, never a raw trace."""


class PrinterError(Exception):
    """A print job or status query failed; the ticket itself is still valid."""


class PrinterOffline(PrinterError):
    """The printer cannot be reached or does not answer (cable, power, cover open, stuck)."""


class PaperOut(PrinterError):
    """The printer has no paper left."""


class FontMissing(PrinterError):
    """No font able to draw Chinese was found, so nothing can be rendered."""
