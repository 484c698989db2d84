"""The visitor's ticket: its life (lifecycle.py), its number (numbering.py),
the hall's service day and times (times.py), when tickets are issued (hours.py).
Pure functions and data; no I/O."""
