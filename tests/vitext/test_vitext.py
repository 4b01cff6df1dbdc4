import unicodedata

from vitext import (
    detect_language,
    fold,
    has_vietnamese_diacritics,
    normalize_text,
    tokens,
)


def test_normalize_text_composes_nfd_input():
    decomposed = unicodedata.normalize("NFD", "Chè Thái Nguyên")
    assert normalize_text(decomposed) == "Chè Thái Nguyên"


def test_normalize_text_tone_placement_is_consistent():
    assert normalize_text("hoà") == normalize_text("hòa") == "hòa"
    assert normalize_text("thuỷ lợi") == normalize_text("thủy lợi")
    assert normalize_text("khoẻ") == normalize_text("khỏe")
    # closed syllables and marked vowels keep their one correct place
    assert normalize_text("hoạt động") == "hoạt động"
    assert normalize_text("người giữa quý") == "người giữa quý"


def test_normalize_text_leaves_english_and_punctuation_alone():
    assert normalize_text("Tea dryer (IoT), 1.200 kg/h") == "Tea dryer (IoT), 1.200 kg/h"


def test_fold_strips_diacritics_and_d_bar():
    assert fold("Chè Thái Nguyên") == "che thai nguyen"
    assert fold("Đồng Hỷ") == "dong hy"


def test_tokens_keep_bigrams_and_drop_stopwords():
    toks = tokens("Máy sấy chè xanh và các thiết bị")
    assert "che_xanh" in toks and "may" in toks
    assert "va" not in toks and "cac" not in toks
    assert "che_xanh" in tokens("che_xanh")  # pre-segmented input matches too


def test_tokens_of_unaccented_and_accented_text_agree():
    assert tokens("chè xanh Thái Nguyên") == tokens("che xanh thai nguyen")


def test_language_helpers():
    assert has_vietnamese_diacritics("chè") and not has_vietnamese_diacritics("tea")
    assert detect_language("Máy sấy chè cho hợp tác xã") == "vi"
    assert detect_language("Tea dryer for cooperatives in Thái Nguyên") == "en"


def test_german_and_french_offers_are_told_from_english():
    from vitext import detect_language

    german = "Inline-Regeneration ammoniakalischer Kupferätzlösungen mit Kupferrückgewinnung für die Leiterplattenfertigung; die Anlage wird vor Ort betrieben."
    french = "Procédé de recyclage des boues pour les usines de traitement avec une récupération du cuivre."
    english = (
        "Heat-pump dryer for green tea leaves with closed-loop humidity control in the factory."
    )
    assert (detect_language(german), detect_language(french), detect_language(english)) == (
        "de",
        "fr",
        "en",
    )
    assert detect_language("Johkasou") == "en"  # too short to tell: the default
