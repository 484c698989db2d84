"""What the kiosk and the visitor's phone need beyond the hall core: the windows that serve a category,
the tracking link and its QR code, and the printed ticket."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from onewindow.printer import TicketSlip
from onewindow.server.config import Category, Hall

PRIORITY_KINDS = {
    "elderly": ("老年人", "Elderly"),
    "disabled": ("残障人士", "Disabled"),
    "green_channel": ("绿色通道", "Green channel"),
}


def category_state(cat: Category, closed: str | None, issued_today: int) -> tuple[str, str | None]:
    """("open" | "closed" | "full", why): what a category's tile shows before the tap. `closed` is
    why the hall or the category's own hours take no tickets now; full is its daily cap reached."""
    if closed:
        return "closed", closed
    if cat.daily_cap and issued_today >= cat.daily_cap:
        return "full", f"今日 {cat.daily_cap} 个号已全部取完 / all {cat.daily_cap} of today's tickets are taken"
    return "open", None


def serving_windows(hall: Hall, statuses: dict[str, dict], category: str) -> list[dict]:
    """The windows that may call this category: the staffed ones, or all of them before anyone signs in."""
    mine = [w for w in hall.windows if category in w.categories]
    open_ = [w for w in mine if statuses.get(w.id, {}).get("status", "closed") != "closed"]
    return [{"id": w.id, "name": w.name, "name_en": w.name_en, "number": w.number} for w in (open_ or mine)]


def track_url(base: str, hall: str, ticket_id: int, token: str) -> str:
    """The phone page the ticket's QR code opens."""
    return f"{base.rstrip('/')}/track?" + urlencode({"hall": hall, "ticket": ticket_id, "token": token})


def ticket_slip(hall: Hall, t: dict, notice: str, url: str, windows: list[dict]) -> TicketSlip:
    cat = hall.category(t["category"])
    return TicketSlip(
        hall_name=hall.name, number=t["number"], category_name_zh=cat.name if cat else t["category"],
        category_name_en=cat.name_en if cat else "", issued_at=datetime.fromtimestamp(t["issued_at"], hall.tz),
        ahead=t["ahead"], estimated_wait_s=t["estimated_wait_s"], notice=notice, track_url=url,
        serving_now=t.get("serving_now", True),
        resumes_at=datetime.fromisoformat(t["resumes_at"]) if t.get("resumes_at") else None,
        # Numbers alone ("1、3") read the same in both languages and keep the slip short.
        windows=[w["number"] or w["name"] for w in windows])


def qr_svg(url: str) -> bytes:
    """A QR code as SVG (CPU work: call it off the event loop)."""
    import qrcode
    import qrcode.image.svg

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                       image_factory=qrcode.image.svg.SvgPathFillImage)  # white ground: scans on any page
    qr.add_data(url)
    qr.make(fit=True)
    return qr.make_image().to_string(encoding="utf-8")
