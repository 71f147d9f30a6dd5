from core.edits import codes


def test_codes_round_trip_and_pairs_keep_their_order() -> None:
    for code in ("00100", "99214", "0001F", "J1885", "ZZZZZ", "0001U"):
        assert codes.decode(codes.encode(code)) == code
    assert codes.split_pair(codes.pair_key("29881", "29880")) == ("29881", "29880")
    assert codes.pair_key("29880", "29881") != codes.pair_key("29881", "29880")
    # digits sort before letters, as the CMS files are sorted
    assert codes.encode("99999") < codes.encode("A0021") < codes.encode("J1885")


def test_evaluation_and_management_range() -> None:
    assert codes.is_evaluation_and_management("99214")
    assert not codes.is_evaluation_and_management("11102")
    assert not codes.is_evaluation_and_management("G0438")
