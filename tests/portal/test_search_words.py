"""Search words on both databases: whole words (PostgreSQL full-text, SQLite regexes), accents
as typed, and the ranking order (portal/search.py)."""

import pytest

from offers import selectors
from portal.search import explain, search
from tests.offers.factories import OfferFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _offer(rep, title, summary="", **kwargs):
    return OfferFactory(
        representation=rep.organization,
        created_by=rep,
        title=title,
        summary=summary,
        title_vi="",
        summary_vi="",
        advantages="",
        **kwargs,
    )


def _found(user, text):
    return list(search(selectors.offer_list_catalog(user), text, kind="offer"))


def test_a_syllable_is_never_found_inside_another_word(rep_jp, staff_tn):
    only = _offer(rep_jp, "Only one pump for the whole plant", "Friendly, early and yearly use.")
    ly = _offer(rep_jp, "Xử lý nước thải", "Lý thuyết và thực hành.")
    assert _found(staff_tn, "ly") == [ly]
    assert _found(staff_tn, "only") == [only]
    assert only not in _found(staff_tn, "lý")


def test_words_are_split_at_punctuation_as_before(rep_jp, staff_tn):
    site = _offer(rep_jp, "Dry ice blasting", "See example.com/moulds; chemical-free cleaning.")
    assert _found(staff_tn, "example") == [site]
    assert _found(staff_tn, "free") == [site]
    assert _found(staff_tn, "chemical free") == [site]
    assert _found(staff_tn, "ample") == []


def test_accents_as_typed_and_the_bare_spelling_of_a_text_without_accents(rep_jp, staff_tn):
    tea = _offer(rep_jp, "Máy vò chè", "Vò chè búp tươi.")
    making = _offer(rep_jp, "Robot hàn chế tạo khuôn", "Xưởng chế tạo.")
    bare = _offer(rep_jp, "May vo che mini", "Vo che bup tuoi.")
    english = _offer(rep_jp, "Cheese mould cleaning", "Chemical-free.")
    assert _found(staff_tn, "chè") == [tea, bare]
    assert set(_found(staff_tn, "che")) == {tea, making, bare}
    assert english not in _found(staff_tn, "che")
    assert _found(staff_tn, "CHẾ tạo") == [making]


def test_ranking_exact_accents_then_title_then_folded(rep_jp, staff_tn):
    # Created in this order so that the newest-first tie-break would put them backwards.
    folded = _offer(rep_jp, "Nuoc thai xu ly nhanh", "Xu ly nuoc thai.")  # no accents at all
    in_text = _offer(rep_jp, "Bể lắng cho nhà máy", "Xử lý nước thải công nghiệp.")
    in_title = _offer(rep_jp, "Xử lý nước thải nhỏ gọn", "Cho nhà máy linh kiện.")
    assert _found(staff_tn, "xử lý nước thải") == [in_title, in_text, folded]
    # Typed without accents: the text written without accents holds the words as typed, and
    # they are in its title.
    assert _found(staff_tn, "xu ly nuoc thai")[0] == folded
    rows = _found(staff_tn, "xử lý nước thải")
    assert "«xử lý nước thải»" in explain(rows[0], "xử lý nước thải")
    assert "«xử lý nước thải»" in explain(rows[2], "xử lý nước thải")  # found without accents
    assert explain(rows[2], "xử lý nước thải") != explain(rows[0], "xử lý nước thải")


def test_a_bare_word_in_an_accented_text_counts_as_typed(rep_jp, staff_tn):
    vietnamese = _offer(rep_jp, "Robot hàn PCB cho xưởng", "Hàn tự động.")
    english = _offer(rep_jp, "PCB welding robot", "Automatic welding.")
    rows = {o.pk: o for o in _found(staff_tn, "pcb")}
    assert set(rows) == {vietnamese.pk, english.pk}
    assert rows[vietnamese.pk].search_exact_0 == rows[english.pk].search_exact_0 == 1
