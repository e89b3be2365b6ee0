"""The entity stage on its own: spans, types, aliases and state forces.

Every sentence is written for these tests (real place names, invented groups and events).
Only ``find_entities`` runs over the product's parse, so other stages cannot mask a change.
"""

from __future__ import annotations

import pytest

from conflictmap.extract.entities import EntityTable, find_entities
from conflictmap.extract.pipeline import Extractor, parse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def entities(extractor: Extractor):
    cache: dict[str, EntityTable] = {}

    def _entities(text: str) -> EntityTable:
        if text not in cache:
            [doc] = parse(extractor.nlp, [text])
            cache[text] = find_entities(doc, extractor.gazetteer)
        return cache[text]

    return _entities


def owner(table: EntityTable, surface: str) -> tuple[str, str]:
    """(canonical, type) of the entity that the mention written ``surface`` belongs to."""
    owners = {m.canonical for m in table.mentions if m.text == surface}
    summary = [(e.canonical, e.type, e.aliases) for e in table.entities.values()]
    assert len(owners) == 1, f"{surface!r} belongs to {owners or 'nothing'}: {summary}"
    (canonical,) = owners
    return canonical, table.entities[canonical].type


def test_acronym_in_brackets_is_not_swallowed_by_the_long_form(entities) -> None:
    table = entities(
        "The Western Hills Defence Forces (WHDF) ambushed a supply convoy near Beni on "
        "Tuesday, local officials said. The WHDF has attacked the road before."
    )
    assert owner(table, "Western Hills Defence Forces")[0] == "Western Hills Defence Forces"
    assert owner(table, "WHDF")[0] == "Western Hills Defence Forces"
    assert not any("(" in m.text for m in table.mentions)


def test_acronym_letters_bound_the_long_form(entities) -> None:
    table = entities(
        "In June the Coalition for Justice and Reform (CJR) accused the army of shelling "
        "villages near Kaga Bandoro."
    )
    assert owner(table, "CJR")[0] == "Coalition for Justice and Reform"


def test_hyphened_particles_stay_in_a_defined_name(entities) -> None:
    table = entities(
        "Harakat Shabab al-Watan wal-Jihad (HSWJ) claimed the bombing of a checkpoint in "
        "Mopti on Friday."
    )
    assert owner(table, "HSWJ")[0] == "Harakat Shabab al-Watan wal-Jihad"


@pytest.mark.parametrize(
    "text",
    [
        "KDLF fighters stormed an army post outside Menaka on Sunday, residents said.",
        "Soldiers have fought the KDLF around Menaka since March, residents said.",
    ],
)
def test_capitals_acronym_in_a_conflict_role_is_a_group(entities, text: str) -> None:
    canonical, etype = owner(entities(text), "KDLF")
    assert canonical == "KDLF"
    assert etype in ("ARMED_GROUP", "ORGANIZATION")


def test_in_the_region_name_stays_whole(entities) -> None:
    table = entities(
        "A commander of al-Qaeda in the Islamic Maghreb was arrested near Tessalit, the "
        "ministry said on Monday."
    )
    assert owner(table, "al-Qaeda in the Islamic Maghreb")[1] in ("ARMED_GROUP", "ORGANIZATION")


def test_country_name_the_model_splits_is_one_place(entities) -> None:
    table = entities("Troops from Mali and Burkina Faso patrolled the border on Monday.")
    assert owner(table, "Burkina Faso") == ("Burkina Faso", "LOCATION")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Jund al-Furqan, a hardline splinter faction, ambushed a patrol near Gao. "
            "Jund al-Furqan later said its fighters had withdrawn.",
            "Jund al-Furqan",
        ),
        (
            "Two years ago Katibat Salah Eddine split from Ansar al-Tawhid, a former ally "
            "said on Monday.",
            "Ansar al-Tawhid",
        ),
        (
            "Shabab al-Sahel, which is based in the hills east of Gao, denied any role in "
            "the ambush.",
            "Shabab al-Sahel",
        ),
    ],
)
def test_group_name_with_group_cues_is_no_person(entities, text: str, name: str) -> None:
    assert owner(entities(text), name)[1] in ("ARMED_GROUP", "ORGANIZATION")


def test_group_named_before_its_fighters_noun_is_kept(entities) -> None:
    table = entities("The Mouradi rebels seized the town of Ndele on Sunday.")
    assert owner(table, "Mouradi")[1] == "ARMED_GROUP"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Kuremo, a small village in central Mali, was emptied after the attack.", "Kuremo"),
        ("Insurgents besieged Djibo for three months before the army arrived.", "Djibo"),
        ("The militia retook Mekelle on Monday after a week of fighting.", "Mekelle"),
    ],
)
def test_place_named_by_a_place_noun_or_a_seizure_is_a_location(
    entities, text: str, place: str
) -> None:
    assert owner(entities(text), place)[1] == "LOCATION"


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Its leader, Ousmane Ag Intalla, denied the claim on Tuesday.", "Ousmane Ag Intalla"),
        (
            "The convoy was attacked by a cousin of Ousmane Ag Intalla near Kidal.",
            "Ousmane Ag Intalla",
        ),
    ],
)
def test_name_after_a_role_noun_is_a_person(entities, text: str, person: str) -> None:
    assert owner(entities(text), person)[1] == "PERSON"


def test_also_known_as_is_the_same_entity(entities) -> None:
    table = entities("Ahmed Ould Salem, also known as Abu Talha, led the raid on the camp.")
    assert owner(table, "Abu Talha") == owner(table, "Ahmed Ould Salem")


def test_bare_government_troops_belong_to_the_country_the_report_is_about(entities) -> None:
    table = entities(
        "Jihadists entered Palmyra on Sunday after government troops withdrew. Syrian "
        "officials said the Syrian army would retake the city."
    )
    assert owner(table, "government troops") == ("Syria armed forces", "STATE_FORCE")


def test_force_word_modifying_a_noun_names_no_force(entities) -> None:
    table = entities(
        "Hamid Ould Moussa, once the military chief of the movement, was seen near Gao in Mali."
    )
    assert not [e for e in table.entities.values() if e.type == "STATE_FORCE"]


def test_demonym_the_model_does_not_tag_makes_a_state_force(entities) -> None:
    table = entities("The Somali army retook the town of Bulo Burde on Monday.")
    assert owner(table, "Somali army") == ("Somalia armed forces", "STATE_FORCE")


def test_capitalised_common_noun_after_a_dateline_is_no_actor(entities) -> None:
    table = entities(
        "KAMPALA, July 7 (Great Lakes Monitor) - Rebels in eastern Congo seized the town of "
        "Bunagana on Friday. Soldiers fled across the border."
    )
    assert not {"Rebels", "Soldiers"} & set(table.entities)
