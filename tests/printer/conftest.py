"""Shared slips and image helpers for the printer tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageOps
from support.media import zbar_read
from support.printer import FakeNetworkPrinter

from onewindow.printer import CaseReceipt, MissingMaterialsNotice, TicketSlip

CST = timezone(timedelta(hours=8), "Asia/Shanghai")
TRACK_URL = "https://hall.example.cn/t/8f3a2c?token=Zq9-xY_41k"


@pytest.fixture
def ticket() -> TicketSlip:
    return TicketSlip(
        hall_name="东城区生态环境局政务服务大厅",
        number="A017",
        category_name_zh="环评审批",
        category_name_en="EIA approval",
        issued_at=datetime(2024, 5, 10, 9, 31, tzinfo=CST),
        ahead=4,
        estimated_wait_s=1260,
        notice="过号须重新取号。Missed numbers must take a new ticket.",
        track_url=TRACK_URL,
        windows=["1号窗口", "3号窗口"],
    )


@pytest.fixture
def receipt() -> CaseReceipt:
    return CaseReceipt(
        case_number="HP-2024-000123",
        item_name="建设项目环境影响报告表审批",
        applicant_masked="张*明",
        accepted_at=datetime(2024, 5, 10, 9, 45, tzinfo=CST),
        deadline=date(2024, 6, 3),
        deadline_provisional=True,
        window_name="3号窗口",
        clerk_name="李四",
        query_hint="凭受理编号拨打 12369 或扫码查询办理进度。",
        track_url="https://hall.example.cn/c/HP-2024-000123",
    )


@pytest.fixture
def notice() -> MissingMaterialsNotice:
    return MissingMaterialsNotice(
        item_name="排污许可证申请",
        missing=[
            "营业执照副本复印件（加盖公章）",
            "排污许可证申请表",
            "自行监测方案",
            "法定代表人授权委托书及被委托人身份证复印件",
        ],
        provided=["环境影响评价批复文件"],
        clerk_name="王五",
        window_name="2号窗口",
        issued_at=datetime(2024, 5, 10, 10, 0, tzinfo=CST),
        hall_name="东城区生态环境局政务服务大厅",
    )


@pytest.fixture
def ink() -> Callable[[Image.Image], float]:
    return _ink_ratio


@pytest.fixture
def find() -> Callable[[Image.Image, Image.Image], int | None]:
    return _find_patch


def _ink_ratio(image: Image.Image) -> float:
    """Share of printed (black) dots."""
    mono = image.convert("1")
    return mono.histogram()[0] / (mono.width * mono.height)


def _find_patch(page: Image.Image, strip: Image.Image) -> int | None:
    """Top row at which the inked part of ``strip`` appears in ``page`` exactly, same x."""
    strip = strip.convert("1")
    box = ImageOps.invert(strip.convert("L")).getbbox()
    assert box is not None, "the strip to look for is blank"
    left, top, right, bottom = box
    patch = strip.crop(box).tobytes()
    page = page.convert("1")
    for y in range(page.height - (bottom - top) + 1):
        if page.crop((left, y, right, y + bottom - top)).tobytes() == patch:
            return y
    return None


@pytest.fixture
def zbar(tmp_path: Path) -> Callable[[Image.Image], list[str]]:
    """Read every QR code in an image with zbarimg, as a phone would."""
    return lambda image: zbar_read(image, tmp_path)


@pytest.fixture
def fake_printer():
    """A fake port-9100 printer on a free port of 127.0.0.1."""
    server = FakeNetworkPrinter()
    yield server
    server.close()
