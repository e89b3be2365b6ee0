"""Relations with time (issue 4), on sentences written for these tests.

Real group and place names, invented events. The document date is Friday 2012-07-20, so
"Sunday" is 2012-07-15, "Monday" 2012-07-16 and "Tuesday" 2012-07-17.
"""

from __future__ import annotations

from datetime import date

import pytest

from conflictmap.extract.pipeline import Extractor

pytestmark = pytest.mark.slow

ANCHOR = date(2012, 7, 20)


@pytest.fixture(scope="module")
def run():
    extractor = Extractor()
    cache: dict[str, dict] = {}

    def _run(text: str) -> dict:
        if text not in cache:
            cache[text] = extractor.extract(text, doc_id="t", document_date=ANCHOR).to_dict()
        return cache[text]

    return _run


def pairs(out: dict, predicate: str) -> list[tuple[str, str]]:
    return [(r["subject"], r["object"]) for r in out["relations"] if r["predicate"] == predicate]


def one(out: dict, subject: str, predicate: str, obj: str) -> dict:
    found = [
        r
        for r in out["relations"]
        if (r["subject"], r["predicate"], r["object"]) == (subject, predicate, obj)
    ]
    every = [(r["subject"], r["predicate"], r["object"]) for r in out["relations"]]
    assert len(found) == 1, f"no single {subject} {predicate} {obj} in {every}"
    return found[0]


def bounds(relation: dict) -> tuple[str | None, str | None]:
    """(first day of valid_from, last day of valid_to), as the benchmark reads them."""
    start = relation["valid_from"]["start"] if relation["valid_from"] else None
    end = relation["valid_to"]["end"] if relation["valid_to"] else None
    return start, end


# --- compound and hypothetical roles ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "deputy", "group"),
    [
        (
            "Cheikh Ag Aoussa, the deputy leader of Ansar Dine, arrived in Kidal on Monday.",
            "Cheikh Ag Aoussa",
            "Ansar Dine",
        ),
        (
            "Omar Ould Hamaha, the deputy head of MUJAO, spoke to reporters in Gao.",
            "Omar Ould Hamaha",
            "MUJAO",
        ),
        (
            "Cheikh Ag Aoussa, deputy commander of Ansar Dine, was seen in Kidal on Monday.",
            "Cheikh Ag Aoussa",
            "Ansar Dine",
        ),
    ],
)
def test_deputy_leader_is_a_deputy_not_a_leader(run, text: str, deputy: str, group: str) -> None:
    out = run(text)
    assert pairs(out, "deputy_of") == [(deputy, group)]
    assert pairs(out, "leader_of") == []
    assert bounds(one(out, deputy, "deputy_of", group)) == (None, None)


def test_future_leader_is_no_leader(run) -> None:
    out = run("Oumar Ould Hamaha was described as a future leader of MUJAO by local officials.")
    assert pairs(out, "leader_of") == []


def test_deputy_named_after_a_leader_is_the_leaders_deputy(run) -> None:
    out = run(
        "Iyad Ag Ghaly, the leader of Ansar Dine, and his deputy Cheikh Ag Aoussa arrived in "
        "Kidal on Monday."
    )
    assert pairs(out, "leader_of") == [("Iyad Ag Ghaly", "Ansar Dine")]
    assert pairs(out, "deputy_of") == [("Cheikh Ag Aoussa", "Iyad Ag Ghaly")]


@pytest.mark.parametrize(
    "text",
    [
        "MUJAO commander Omar Ould Hamaha was seen in Gao on Monday.",
        "Omar Ould Hamaha, a commander of MUJAO, was seen in Gao on Monday.",
    ],
)
def test_a_commander_of_a_group_is_a_member(run, text: str) -> None:
    out = run(text)
    assert pairs(out, "member_of") == [("Omar Ould Hamaha", "MUJAO")]
    assert pairs(out, "leader_of") == []


def test_two_brothers_are_family(run) -> None:
    out = run(
        "Two brothers, Ahmada Ag Bibi and Alghabass Ag Intalla, joined the talks in Ouagadougou."
    )
    assert pairs(out, "family_of") == [("Ahmada Ag Bibi", "Alghabass Ag Intalla")]


# --- active and passive verbs -----------------------------------------------------------


def test_taking_full_control_of_a_town_holds_from_that_day(run) -> None:
    out = run("MUJAO took full control of the town of Douentza on Sunday.")
    assert bounds(one(out, "MUJAO", "controls", "Douentza")) == ("2012-07-15", None)


def test_recapturing_it_ends_the_holder_and_starts_the_recapturer(run) -> None:
    out = run("Douentza was held by MUJAO from May until Malian troops recaptured it on July 2.")
    assert bounds(one(out, "MUJAO", "controls", "Douentza")) == ("2012-05-01", "2012-07-02")
    assert bounds(one(out, "Mali armed forces", "controls", "Douentza")) == ("2012-07-02", None)


@pytest.mark.parametrize(
    ("text", "leader", "group"),
    [
        (
            "The MNLA, commanded by Bilal Ag Acherif, has held Kidal since January.",
            "Bilal Ag Acherif",
            "MNLA",
        ),
        (
            "Ansar Dine, which is led by Iyad Ag Ghaly, has imposed sharia in Timbuktu.",
            "Iyad Ag Ghaly",
            "Ansar Dine",
        ),
        (
            "Ganda Iso, a militia led by Seydou Cisse, patrols the villages near Gao.",
            "Seydou Cisse",
            "Ganda Iso",
        ),
    ],
)
def test_passive_leadership_has_no_bounds(run, text: str, leader: str, group: str) -> None:
    out = run(text)
    assert pairs(out, "leader_of") == [(leader, group)]
    assert bounds(one(out, leader, "leader_of", group)) == (None, None)


def test_held_by_fighters_of_a_group_is_the_groups_control(run) -> None:
    out = run("The town of Ber had been held by fighters of the MNLA since April.")
    assert pairs(out, "controls") == [("MNLA", "Ber")]
    assert bounds(one(out, "MNLA", "controls", "Ber")) == ("2012-04-01", None)


def test_falling_to_a_group_and_losing_control_to_it(run) -> None:
    fell = run("Mopti fell to MUJAO on Sunday.")
    assert bounds(one(fell, "MUJAO", "controls", "Mopti")) == ("2012-07-15", None)
    lost = run("The army lost control of Gao to the MNLA on Sunday.")
    assert bounds(one(lost, "MNLA", "controls", "Gao")) == ("2012-07-15", None)
    assert bounds(one(lost, "Mali armed forces", "controls", "Gao")) == (None, "2012-07-15")


def test_recapturing_from_a_group_ends_its_control(run) -> None:
    out = run("Malian troops recaptured the town of Douentza from MUJAO on Monday.")
    assert bounds(one(out, "MUJAO", "controls", "Douentza")) == (None, "2012-07-16")
    assert bounds(one(out, "Mali armed forces", "controls", "Douentza")) == ("2012-07-16", None)
    assert ("Mali armed forces", "MUJAO") in pairs(out, "fights")


def test_groups_fighting_each_other(run) -> None:
    out = run("Ansar Dine fighters and MUJAO fighters have clashed with each other since June.")
    assert pairs(out, "fights") == [("Ansar Dine", "MUJAO")]
    assert bounds(one(out, "Ansar Dine", "fights", "MUJAO")) == ("2012-06-01", None)


# --- nominal forms ----------------------------------------------------------------------


def test_country_backed_group_is_supported_by_the_country(run) -> None:
    out = run("The Algerian-backed MNLA clashed with MUJAO near Gao on Tuesday.")
    assert pairs(out, "supports") == [("Algeria", "MNLA")]
    assert bounds(one(out, "Algeria", "supports", "MNLA")) == (None, None)
    assert bounds(one(out, "MNLA", "fights", "MUJAO")) == ("2012-07-17", "2012-07-17")


def test_under_the_control_of_a_group(run) -> None:
    out = run("Kidal has been under the control of the MNLA since late March, residents said.")
    assert bounds(one(out, "MNLA", "controls", "Kidal")) == ("2012-03-21", None)


def test_in_the_hands_of_a_group(run) -> None:
    out = run("Timbuktu has been in the hands of Ansar Dine since April.")
    assert bounds(one(out, "Ansar Dine", "controls", "Timbuktu")) == ("2012-04-01", None)


def test_offensive_against_a_group_is_fighting_from_its_launch(run) -> None:
    out = run("Malian troops launched an offensive against Ansar Dine on Monday.")
    assert pairs(out, "fights") == [("Mali armed forces", "Ansar Dine")]
    assert bounds(one(out, "Mali armed forces", "fights", "Ansar Dine")) == ("2012-07-16", None)


# --- across sentences -------------------------------------------------------------------


def test_its_leader_in_the_next_sentence(run) -> None:
    out = run(
        "The MNLA arrived in Kidal on Monday. Its leader, Bilal Ag Acherif, addressed a crowd."
    )
    assert pairs(out, "leader_of") == [("Bilal Ag Acherif", "MNLA")]


def test_the_groups_deputy_in_the_next_sentence(run) -> None:
    out = run(
        "MUJAO fighters entered Ansongo on Monday. The group's deputy, Omar Ould Hamaha, led "
        "the assault."
    )
    assert pairs(out, "deputy_of") == [("Omar Ould Hamaha", "MUJAO")]
    assert pairs(out, "leader_of") == []


def test_the_militants_still_control_a_town(run) -> None:
    out = run(
        "MUJAO fighters imposed a curfew in Gao on Monday. The militants still control Ansongo."
    )
    assert pairs(out, "controls") == [("MUJAO", "Ansongo")]
    assert bounds(one(out, "MUJAO", "controls", "Ansongo")) == (None, None)


def test_its_is_the_subject_not_the_group_named_in_its_apposition(run) -> None:
    out = run(
        "MUJAO, an offshoot of al-Qaeda in the Islamic Maghreb, seized Gao on Sunday. Its "
        "spokesman, Adnan Abu Walid al-Sahrawi, said the group would impose sharia."
    )
    assert pairs(out, "member_of") == [("Adnan Abu Walid al-Sahrawi", "MUJAO")]
    assert pairs(out, "splinter_of") == [("MUJAO", "al-Qaeda in the Islamic Maghreb")]


def test_earlier_control_ends_with_a_later_recapture(run) -> None:
    out = run("Malian troops recaptured Douentza on Monday. MUJAO had held the town since May.")
    assert bounds(one(out, "MUJAO", "controls", "Douentza")) == ("2012-05-01", "2012-07-16")
    assert bounds(one(out, "Mali armed forces", "controls", "Douentza")) == ("2012-07-16", None)


def test_they_continue_the_subject_of_the_sentence_before(run) -> None:
    out = run(
        "Ansar Dine fighters have held Tessalit since late March. They have also occupied "
        "Aguelhok since April."
    )
    assert bounds(one(out, "Ansar Dine", "controls", "Aguelhok")) == ("2012-04-01", None)


# --- located in -------------------------------------------------------------------------


def test_town_described_as_in_a_country_is_located_in_it(run) -> None:
    out = run("Gao, the largest town in northern Mali, was quiet on Monday.")
    assert pairs(out, "located_in") == [("Gao", "Mali")]
    assert bounds(one(out, "Gao", "located_in", "Mali")) == (None, None)


def test_group_based_in_a_town(run) -> None:
    out = run("The MNLA, a Tuareg rebel group based in Kidal, seized Gao on Sunday.")
    assert bounds(one(out, "MNLA", "located_in", "Kidal")) == (None, None)
    assert bounds(one(out, "MNLA", "controls", "Gao")) == ("2012-07-15", None)


def test_headquartered_since_a_year(run) -> None:
    out = run("The MNLA has been headquartered in Kidal since 2011.")
    assert bounds(one(out, "MNLA", "located_in", "Kidal")) == ("2011-01-01", None)


# --- time bounds of lasting relations ---------------------------------------------------


def test_event_date_bounds_the_seizure_not_the_leadership(run) -> None:
    out = run("MUJAO, led by Omar Ould Hamaha, seized Douentza on Sunday.")
    assert bounds(one(out, "Omar Ould Hamaha", "leader_of", "MUJAO")) == (None, None)
    assert bounds(one(out, "MUJAO", "controls", "Douentza")) == ("2012-07-15", None)


def test_leader_described_in_a_sentence_about_a_meeting_has_no_bounds(run) -> None:
    out = run("Iyad Ag Ghaly, the leader of Ansar Dine, met Bilal Ag Acherif in Kidal last year.")
    assert bounds(one(out, "Iyad Ag Ghaly", "leader_of", "Ansar Dine")) == (None, None)


def test_allegiance_pledged_in_a_year_holds_from_that_year(run) -> None:
    out = run("MUJAO pledged allegiance to al-Qaeda in the Islamic Maghreb in 2011.")
    relation = one(out, "MUJAO", "affiliated_with", "al-Qaeda in the Islamic Maghreb")
    assert bounds(relation) == ("2011-01-01", None)


def test_since_an_event_named_with_its_month(run) -> None:
    out = run("The MNLA has fought the Malian army since the January 2012 rebellion.")
    assert bounds(one(out, "MNLA", "fights", "Mali armed forces")) == ("2012-01-01", None)


# --- countries, negation, hypotheses ----------------------------------------------------


def test_country_supporting_a_group(run) -> None:
    out = run("Algeria supports the MNLA, officials said.")
    assert pairs(out, "supports") == [("Algeria", "MNLA")]
    assert not one(out, "Algeria", "supports", "MNLA")["evidence"]["negated"]


def test_denied_support_is_kept_as_negated(run) -> None:
    out = run("Algeria does not support Ansar Dine, a foreign ministry spokesman said.")
    assert one(out, "Algeria", "supports", "Ansar Dine")["evidence"]["negated"] is True


@pytest.mark.parametrize(
    ("text", "predicate"),
    [
        ("Analysts say Ansar Dine could seize Mopti within weeks.", "controls"),
        ("The MNLA plans to join the Azawad Salvation Council.", "member_of"),
        ("Oumar Ould Hamaha was described as a future leader of MUJAO.", "leader_of"),
    ],
)
def test_possible_or_planned_relations_give_nothing(run, text: str, predicate: str) -> None:
    assert pairs(run(text), predicate) == []


def test_denial_and_no_links_keep_the_relation_as_negated(run) -> None:
    denied = run("The army denied on Tuesday that MUJAO fighters control Ansongo.")
    assert one(denied, "MUJAO", "controls", "Ansongo")["evidence"]["negated"] is True
    no_links = run("MUJAO said it had no links with al-Qaeda in the Islamic Maghreb.")
    relation = one(no_links, "MUJAO", "affiliated_with", "al-Qaeda in the Islamic Maghreb")
    assert relation["evidence"]["negated"] is True


def test_a_leader_who_rejects_something_is_not_a_denied_leader(run) -> None:
    out = run("Iyad Ag Ghaly, who has led Ansar Dine since 2011, rejected the offer on Monday.")
    relation = one(out, "Iyad Ag Ghaly", "leader_of", "Ansar Dine")
    assert relation["evidence"]["negated"] is False
    assert bounds(relation) == ("2011-01-01", None)


def test_fighting_between_two_forces(run) -> None:
    out = run("Fighting between the Malian army and MNLA rebels continued near Kidal on Tuesday.")
    assert pairs(out, "fights") == [("Mali armed forces", "MNLA")]


def test_town_described_after_a_misattached_apposition(run) -> None:
    out = run("Residents of Menaka, a town in eastern Mali, said the MNLA had left.")
    assert pairs(out, "located_in") == [("Menaka", "Mali")]


@pytest.mark.parametrize(
    "text",
    [
        "Fighters from the armed group holding Kidal attacked a convoy.",
        "Gunmen from the two rebel movements occupying the north clashed near the town of Gao.",
    ],
)
def test_a_phrase_that_refers_back_to_itself_ends(run, text: str) -> None:
    # "fighters from the group holding X": resolving the group reaches the fighters again
    assert [e["sub_event_type"] for e in run(text)["events"]] == ["Armed clash"]
