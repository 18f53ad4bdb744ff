import unicodedata

from search.highlight import excerpt, match_spans
from search.query_syntax import parse_query
from search.vietnamese import fold, fold_with_offsets, has_diacritics, nfc


def test_fold_strips_marks_and_maps_d_stroke():
    assert fold("Đặng Thị Ánh Nguyệt") == "dang thi anh nguyet"
    assert fold("ĐĂK LĂK") == "dak lak"


def test_fold_accepts_decomposed_input_like_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Ân")
    assert decomposed != "Nguyễn Văn Ân"
    assert fold(decomposed) == fold("Nguyễn Văn Ân") == "nguyen van an"
    assert nfc(decomposed) == "Nguyễn Văn Ân"


def test_fold_offsets_point_back_into_the_original():
    text = "Ông Đặng Văn Ơn"
    folded, offsets = fold_with_offsets(text)
    assert folded == "ong dang van on"
    assert offsets is None  # nothing dropped: indexes line up one to one
    text = "q\u0301 Đặng"  # q has no precomposed acute form: the mark stays, folding drops it
    folded, offsets = fold_with_offsets(text)
    assert folded == "q dang" and offsets is not None
    start = folded.index("dang")
    assert text[offsets[start]:offsets[start + 3] + 1] == "Đặng"


def test_fold_agrees_with_the_character_by_character_definition():
    from search.vietnamese import _fold_char

    sample = "".join(chr(cp) for cp in range(0x20, 0x3000) if not 0xD800 <= cp < 0xE000) + "𝐀𝔸 İ ǆ"
    assert fold(sample) == "".join(_fold_char(ch) for ch in nfc(sample))


def test_has_diacritics():
    assert has_diacritics("Nguyễn")
    assert has_diacritics("dđ")
    assert not has_diacritics("Nguyen Van An")


def test_query_words_and_phrases_are_separate_required_clauses():
    q = parse_query('Nguyễn "quyết định tuyển dụng" 2015')
    assert [c.folded for c in q.clauses] == [("nguyen",), ("quyet", "dinh", "tuyen", "dung"), ("2015",)]
    assert q.clauses[1].is_phrase and not q.clauses[0].is_phrase
    assert q.clauses[0].exact == ("nguyễn",)


def test_unbalanced_quote_is_read_as_words():
    assert [c.folded for c in parse_query('"ha noi').clauses] == [("ha",), ("noi",)]
    assert parse_query("  ").is_empty


def test_highlight_marks_original_words_from_folded_terms():
    text = "Bà Đặng Thị Hoa, quê Đà Nẵng"
    spans = match_spans(text, frozenset({"dang", "da"}))
    assert [text[s:e] for s, e in spans] == ["Đặng", "Đà"]
    ex = excerpt(text, frozenset({"dang"}))
    assert ex.matches == ("Đặng",)


def test_excerpt_keeps_text_raw_and_windows_long_text():
    text = "<b>x</b> " + "lorem " * 100 + "Nguyễn Văn An " + "ipsum " * 100
    ex = excerpt(text, frozenset({"nguyen"}), width=120)
    assert ex.text.startswith("…") and ex.text.endswith("…") and "<b>" not in ex.text  # cut off by the window
    assert ex.matches == ("Nguyễn",)
    raw = excerpt("<b>Nguyễn</b> & An", frozenset({"nguyen"}))
    assert raw.text == "<b>Nguyễn</b> & An" and raw.matches == ("Nguyễn",)  # the port never escapes


VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


def test_token_analyzers_fold_every_vietnamese_letter_to_its_base():
    from search.vietnamese import folded_tokens, tokens

    for letter in VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper():
        base = unicodedata.normalize("NFD", letter)[0].lower().replace("đ", "d")
        assert folded_tokens(f"x{letter}y") == [f"x{base}y"], letter
        assert tokens(f"x{letter}y") == [f"x{letter.lower()}y"], letter


def test_string_folding_and_token_analyzers_agree():
    """Highlighting scans fold(text) with TOKEN_RE; the index and queries use the analyzers.
    They must cut and fold alike, or a page found by a word would show no mark on it."""
    from search.vietnamese import TOKEN_RE, folded_tokens, tokens

    text = ("ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK — Số: 125/QĐ-UBND; hệ số 2,34; mã_số 01.003 "
            "Straße Łódź Ærø m² ½ İstanbul naïve café Ðoàn")
    assert TOKEN_RE.findall(fold(text)) == folded_tokens(text)
    vietnamese = text[: text.index("Straße")]
    assert TOKEN_RE.findall(nfc(vietnamese).lower()) == tokens(vietnamese)
    assert folded_tokens("İSTANBUL İstanbul") == ["istanbul", "istanbul"]  # fold, then lowercase
    assert folded_tokens("Đoàn Thị Ðào") == ["doan", "thi", "dao"]
