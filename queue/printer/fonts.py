"""Finding a font that can draw Chinese, so the raster slips never print boxes."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from .errors import FontMissing


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int = 0  # the face inside a .ttc collection


# Preferred faces, best first. Noto CJK collections hold JP, KR, SC, TC, HK in that
# order: index 2 gives Simplified Chinese glyph shapes.
KNOWN_FACES = (
    FontFace(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
    FontFace(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    FontFace(Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    FontFace(Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"), 2),
    FontFace(Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"), 2),
    FontFace(Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), 0),
    FontFace(Path("C:/Windows/Fonts/msyh.ttc"), 0),
    FontFace(Path("C:/Windows/Fonts/simhei.ttf"), 0),
    FontFace(Path("/System/Library/Fonts/PingFang.ttc"), 0),
)

_HINT = "install one, e.g. `apt install fonts-wqy-zenhei` or `apt install fonts-noto-cjk`"


def _bundled() -> list[FontFace]:
    # A font shipped inside the package (package data) wins over the system's.
    here = Path(__file__).parent
    return [FontFace(p) for p in sorted(here.glob("*.tt[fc]"))]


@lru_cache(maxsize=1)
def _fontconfig() -> list[FontFace]:
    # Cached: it runs a process. `fc-list :lang=zh` lists only faces that cover Chinese, unlike fc-match,
    # which always answers with something.
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file", "index"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    faces = []
    for line in out.splitlines():
        path, _, rest = line.partition(":")
        index = rest.strip().removeprefix(":index=")
        faces.append(FontFace(Path(path.strip()), int(index) if index.isdigit() else 0))
    return sorted(faces, key=lambda f: (str(f.path), f.index))


def find_cjk_font(configured: str | Path | None = None) -> FontFace:
    """The configured font file, else a bundled one, a known system path, or fontconfig's.

    Raises FontMissing with an install hint when nothing usable exists.
    """
    if configured is not None:
        path = Path(configured)
        if not path.is_file():
            raise FontMissing(f"configured printer font {path} does not exist; {_HINT}")
        return FontFace(path)
    for face in [*_bundled(), *KNOWN_FACES, *_fontconfig()]:
        if face.path.is_file():
            return face
    raise FontMissing(f"no font that can draw Chinese was found; {_HINT}")


@lru_cache(maxsize=64)
def load(face: FontFace, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(str(face.path), size, index=face.index)
    except OSError as exc:
        raise FontMissing(f"cannot load font {face.path} (face {face.index}): {exc}") from exc
