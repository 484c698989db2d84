"""Ticket numbers: the category's prefix letter and a daily sequence (A001)."""
from __future__ import annotations


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"
