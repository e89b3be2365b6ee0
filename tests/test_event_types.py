"""Every ACLED sub-event type (6 types, 25 sub-types) from reports written for these tests.

Each sentence is made up (real places and groups, invented events) in the plain style of a
wire report, and must give exactly one event of the expected type and sub-type among the
events it yields; the statements after the table must give none.
"""

from __future__ import annotations

from datetime import date

import pytest

from conflictmap.extract.pipeline import Extractor

pytestmark = pytest.mark.slow

ANCHOR = date(2019, 3, 15)

CASES = [
    # Battles
    ("Battles", "Armed clash", "Soldiers and jihadist fighters clashed for hours near Djibo."),
    (
        "Battles",
        "Government regains territory",
        "The army recaptured the town of Kidal from the rebels on Tuesday.",
    ),
    (
        "Battles",
        "Non-state actor overtakes territory",
        "Insurgents overran the town of Mocimboa da Praia after a three-day assault.",
    ),
    # Explosions/Remote violence
    (
        "Explosions/Remote violence",
        "Chemical weapon",
        "Residents of Douma said a chlorine gas attack left dozens of people fighting for breath.",
    ),
    (
        "Explosions/Remote violence",
        "Air/drone strike",
        "A drone strike hit a convoy of militants outside Jilib on Sunday.",
    ),
    (
        "Explosions/Remote violence",
        "Suicide bomb",
        "A suicide bomber blew himself up at a checkpoint in Mogadishu, killing four guards.",
    ),
    (
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        "Rebel artillery shelled the outskirts of Goma overnight.",
    ),
    (
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        "A roadside bomb struck a police vehicle near Kandahar, wounding three officers.",
    ),
    (
        "Explosions/Remote violence",
        "Grenade",
        "An attacker threw a grenade into a crowded bar in Bujumbura on Friday night.",
    ),
    # Violence against civilians
    (
        "Violence against civilians",
        "Sexual violence",
        "Militiamen raped several women in a village near Bunia, a local official said.",
    ),
    (
        "Violence against civilians",
        "Attack",
        "Gunmen killed seven villagers in an attack on Solhan on Friday.",
    ),
    (
        "Violence against civilians",
        "Abduction/forced disappearance",
        "Armed men kidnapped a teacher and two pupils from a school near Maiduguri.",
    ),
    # Protests
    (
        "Protests",
        "Peaceful protest",
        "Thousands of people marched peacefully through Khartoum on Thursday.",
    ),
    (
        "Protests",
        "Protest with intervention",
        "Police used tear gas to disperse a protest outside parliament in Kampala.",
    ),
    (
        "Protests",
        "Excessive force against protesters",
        "Security forces shot dead three protesters during a march in Conakry.",
    ),
    # Riots
    (
        "Riots",
        "Violent demonstration",
        "Protesters set fire to a police station in Kindia after the arrest of a trader.",
    ),
    (
        "Riots",
        "Mob violence",
        "A mob beat a suspected thief to death in a market in Kano.",
    ),
    # Strategic developments
    (
        "Strategic developments",
        "Agreement",
        "The government and the rebels signed a ceasefire agreement in Addis Ababa.",
    ),
    (
        "Strategic developments",
        "Arrests",
        "Police arrested twelve suspected militants in a raid in Mombasa.",
    ),
    (
        "Strategic developments",
        "Change to group/activity",
        "The militia recruited hundreds of young men in villages around Djugu.",
    ),
    (
        "Strategic developments",
        "Disrupted weapons use",
        "Soldiers defused a roadside bomb on the road between Gao and Ansongo.",
    ),
    (
        "Strategic developments",
        "Headquarters or base established",
        "The militants set up a base in the forest near Beni.",
    ),
    (
        "Strategic developments",
        "Looting/property destruction",
        "Fighters looted shops and torched houses in the town of Kaya.",
    ),
    (
        "Strategic developments",
        "Non-violent transfer of territory",
        "Government troops abandoned the town of Menaka without a fight.",
    ),
    (
        "Strategic developments",
        "Other",
        "The group released two aid workers it had held for six months.",
    ),
]

NO_EVENT = [
    "The rebels threatened to attack the town if talks failed.",
    "The army denied that its soldiers had killed any civilians.",
    "Militants did not attack the convoy, the governor said.",
    "The group has turned to roadside bombs and kidnappings in recent years.",
    "The commander said his men would seize the airport within days.",
]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def test_the_table_covers_all_25_sub_event_types() -> None:
    assert len({sub for _, sub, _ in CASES}) == 25


@pytest.mark.parametrize(("event_type", "sub_event_type", "text"), CASES)
def test_sub_event_type(
    extractor: Extractor, event_type: str, sub_event_type: str, text: str
) -> None:
    events = extractor.extract(text, doc_id="t", document_date=ANCHOR).events
    coded = [(e.event_type, e.sub_event_type) for e in events]
    assert coded.count((event_type, sub_event_type)) == 1, coded


@pytest.mark.parametrize("text", NO_EVENT)
def test_negated_hypothetical_or_generic_statements_give_no_event(
    extractor: Extractor, text: str
) -> None:
    events = extractor.extract(text, doc_id="t", document_date=ANCHOR).events
    assert [(e.sub_event_type, e.trigger) for e in events] == []
