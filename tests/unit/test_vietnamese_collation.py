"""Vietnamese alphabetical order (search.collation), a pure function: letters, then tones, then case."""

from __future__ import annotations

import random
import unicodedata

from search.collation import collation_key, name_sort_key


def _sorted(words: list[str]) -> list[str]:
    shuffled = words[:]
    random.Random(7).shuffle(shuffled)
    return sorted(shuffled, key=collation_key)


def test_letters_with_marks_are_letters_of_their_own_after_their_base() -> None:
    assert _sorted(["b", "â", "a", "ă"]) == ["a", "ă", "â", "b"]
    assert _sorted(["e", "đ", "d", "ê"]) == ["d", "đ", "e", "ê"]
    assert _sorted(["p", "ơ", "ô", "o"]) == ["o", "ô", "ơ", "p"]
    assert _sorted(["v", "ư", "u"]) == ["u", "ư", "v"]


def test_a_letter_decides_before_any_tone() -> None:
    assert _sorted(["ăn", "án", "an"]) == ["an", "án", "ăn"]  # ă > a whatever the tone
    assert _sorted(["Đào", "Dương", "Dũng"]) == ["Dũng", "Dương", "Đào"]  # đ after every d
    assert _sorted(["ơn", "ôn", "ốn", "on"]) == ["on", "ôn", "ốn", "ơn"]


def test_tones_follow_the_dictionary_order_ngang_huyen_hoi_nga_sac_nang() -> None:
    assert _sorted(["á", "ạ", "ả", "a", "à", "ã"]) == ["a", "à", "ả", "ã", "á", "ạ"]
    assert _sorted(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_a_shorter_word_comes_first_and_words_compare_in_turn() -> None:
    # letters of the whole text first: "Ánh" and "Anh" differ only by a tone, "Anh Thư" by a letter
    assert _sorted(["Anh", "An", "Ánh", "Anh Thư"]) == ["An", "Anh", "Ánh", "Anh Thư"]
    assert _sorted(["Văn Anh", "Vân An", "Văn An"]) == ["Văn An", "Văn Anh", "Vân An"]


def test_case_decides_last_and_decomposed_text_sorts_as_composed() -> None:
    assert collation_key("Đức") != collation_key("đức")
    assert _sorted(["Đức", "đức"]) == ["đức", "Đức"]
    assert collation_key(unicodedata.normalize("NFD", "Nguyễn Thị Ánh")) == collation_key("Nguyễn Thị Ánh")


def test_names_sort_by_given_name_then_family_and_middle_names() -> None:
    names = ["Trần Văn Ánh", "Lê Văn An", "Nguyễn Thị Anh", "Phạm Đức Dũng", "Hoàng Văn Dung", "Lê Thị Ơn",
             "Vũ Thị Ôn", "Đỗ Văn On", "Bùi Văn Đạt", "Bùi Văn Dạt", "Mai Thị Anh"]
    random.Random(3).shuffle(names)
    assert sorted(names, key=name_sort_key) == [
        "Lê Văn An", "Mai Thị Anh", "Nguyễn Thị Anh", "Trần Văn Ánh",  # An < Anh < Ánh; each Anh by họ
        "Bùi Văn Dạt", "Hoàng Văn Dung", "Phạm Đức Dũng", "Bùi Văn Đạt",  # d before đ, Dung before Dũng
        "Đỗ Văn On", "Vũ Thị Ôn", "Lê Thị Ơn",  # o < ô < ơ
    ]


def test_keys_are_printable_ascii_so_every_engine_and_database_sorts_alike() -> None:
    for text in ("Nguyễn Thị Ánh", "ĐẶNG VĂN ƯỚC", "Łukasz Žofia", "王小明", "", "  "):
        key = name_sort_key(text)
        assert key.isascii() and (key.isprintable() or key == "")
    # by tên first (An, An, Bá), then by họ: Đỗ before Lê (đ comes before l)
    assert sorted(["Ân Bá", "Lê An", "Đỗ An"], key=name_sort_key) == ["Đỗ An", "Lê An", "Ân Bá"]
