import pytest

from onewindow.printer import FontMissing, fonts, render


def test_finds_the_debian_font():
    face = fonts.find_cjk_font()
    assert face.path.is_file()
    assert fonts.load(face, 24).getlength("号") > 0


def test_configured_font_must_exist(tmp_path):
    with pytest.raises(FontMissing, match="does not exist"):
        fonts.find_cjk_font(tmp_path / "nope.ttc")


def test_no_font_anywhere_is_a_clear_error(monkeypatch, ticket):
    monkeypatch.setattr(fonts, "KNOWN_FACES", ())
    monkeypatch.setattr(fonts, "_bundled", lambda: [])
    monkeypatch.setattr(fonts, "_fontconfig", lambda: [])
    with pytest.raises(FontMissing, match="fonts-wqy-zenhei"):
        render(ticket, 384)


def test_fontconfig_lists_chinese_faces():
    faces = fonts._fontconfig()
    assert any("wqy" in str(f.path) for f in faces)
