from core.search.text import stem, terms, words


def test_number_words_become_digits() -> None:
    assert words("Type Two diabetes") == ["type", "2", "diabetes"]
    assert words("type II") == ["type", "2"]


def test_forms_of_a_word_share_one_term() -> None:
    assert stem("fractures") == stem("fractured") == stem("fracture") == stem("fracturing")
    assert stem("injuries") == stem("injury")
    assert stem("bleeding") == stem("bleed")


def test_terms_drop_stopwords_and_punctuation() -> None:
    assert terms("Fracture of the wrist, (closed)") == [stem("fracture"), "wrist", stem("closed")]
    assert terms("Crème brûlée") == [stem("creme"), stem("brulee")]
