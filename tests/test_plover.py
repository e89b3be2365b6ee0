"""PLOVER coding of single sentences, on sentences written for these tests.

Each case gives the expected category and a word that must occur (case-folded) in one of
the source strings and one of the target strings of the sentence's main event (the first
one returned); ``None`` leaves that role unchecked. The parse-dependent tests load the
spaCy pipeline once per module.
"""

from __future__ import annotations

import dataclasses

import pytest

from conflictmap.extract import plover
from conflictmap.extract.plover import PloverEvent, code_document, code_sentence

CATEGORIES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "COOPERATE",
    "AID",
    "CONCEDE",
    "RETREAT",
    "INVESTIGATE",
    "DEMAND",
    "DISAPPROVE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "MOBILIZE",
    "SANCTION",
    "COERCE",
    "ASSAULT",
    "FIGHT",
)
# (sentence, category, source word, target word)
CASES = [
    # AGREE
    ("Ethiopia promised to send food aid to Somalia.", "AGREE", "ethiopia", "somalia"),
    (
        "The rebels have accepted an offer of talks from the government.",
        "AGREE",
        "rebels",
        "government",
    ),
    (
        "Ghana will provide medical supplies to Liberia, the foreign ministry said.",
        "AGREE",
        "ghana",
        "liberia",
    ),
    ("Sudan and Chad reached a deal to reopen their shared border.", "AGREE", "chad", None),
    (
        "The foreign minister expressed readiness to resume dialogue with the opposition.",
        "AGREE",
        "minister",
        "opposition",
    ),
    # CONSULT
    (
        "The Turkish foreign minister met his Iranian counterpart in Ankara on Tuesday.",
        "CONSULT",
        "minister",
        "counterpart",
    ),
    (
        "Egypt hosted talks between Sudan and South Sudan in Cairo.",
        "CONSULT",
        "egypt",
        "south sudan",
    ),
    ("President Macron visited Mali on Friday.", "CONSULT", "macron", "mali"),
    (
        "The Chinese premier telephoned the Pakistani president on Sunday.",
        "CONSULT",
        "premier",
        "president",
    ),
    # SUPPORT
    (
        "The European Union praised Senegal for holding peaceful elections.",
        "SUPPORT",
        "european union",
        "senegal",
    ),
    ("Japan apologized to South Korea for the incident.", "SUPPORT", "japan", "south korea"),
    (
        "Several Western governments voiced support for the transitional council.",
        "SUPPORT",
        "governments",
        "council",
    ),
    ("The prime minister paid tribute to the peacekeepers.", "SUPPORT", "minister", "peacekeepers"),
    # COOPERATE
    (
        "Kenyan and Ugandan troops launched a joint patrol along the border.",
        "COOPERATE",
        "armed forces",  # a state force entity ("Uganda armed forces")
        None,
    ),
    (
        "French intelligence officers shared information with the Malian authorities.",
        "COOPERATE",
        "officers",
        "authorities",
    ),
    ("Spain extradited two suspects to Morocco.", "COOPERATE", "spain", "morocco"),
    # AID
    ("Norway sent humanitarian aid to the refugees in Chad.", "AID", "norway", "refugees"),
    ("Canada granted asylum to three opposition activists.", "AID", "canada", "activists"),
    (
        "The World Food Programme distributed food to 20,000 displaced families.",
        "AID",
        "world food programme",
        "families",
    ),
    # CONCEDE
    (
        "The military government lifted the curfew in the capital on Sunday.",
        "CONCEDE",
        "government",
        None,
    ),
    (
        "The teachers' union called off its strike after talks with the ministry.",
        "CONCEDE",
        "union",
        None,
    ),
    (
        "The government eased restrictions on foreign journalists.",
        "CONCEDE",
        "government",
        "journalists",
    ),
    # RETREAT
    ("Rebel fighters withdrew from the town of Kidal on Thursday.", "RETREAT", "fighters", None),
    ("The kidnappers released two French hostages on Monday.", "RETREAT", "kidnappers", "hostages"),
    ("The defence minister resigned after the scandal.", "RETREAT", "minister", None),
    ("Hundreds of rebels surrendered to the army on Friday.", "RETREAT", "rebels", "army"),
    # INVESTIGATE
    (
        "The United Nations opened an investigation into the killings in Darfur.",
        "INVESTIGATE",
        "united nations",
        None,
    ),
    (
        "Police are investigating the murder of a journalist in Lagos.",
        "INVESTIGATE",
        "police",
        "journalist",
    ),
    (
        "Prosecutors are investigating allegations of corruption against the minister.",
        "INVESTIGATE",
        "prosecutors",
        "minister",
    ),
    # DEMAND
    (
        "The African Union urged both sides to respect the ceasefire.",
        "DEMAND",
        "african union",
        "sides",
    ),
    ("Protesters called on the president to resign.", "DEMAND", "protesters", "president"),
    (
        "The opposition demanded the release of all political prisoners.",
        "DEMAND",
        "opposition",
        "prisoners",
    ),
    # DISAPPROVE
    ("The minister accused Rwanda of supporting the rebels.", "DISAPPROVE", "minister", "rwanda"),
    (
        "China criticised the United States over its arms sales to Taiwan.",
        "DISAPPROVE",
        "china",
        "united states",
    ),
    (
        "The ministry summoned the French ambassador over the remarks.",
        "DISAPPROVE",
        "ministry",
        "ambassador",
    ),
    # REJECT
    ("Hamas rejected the Egyptian proposal for a truce.", "REJECT", "hamas", "egyptian"),
    ("The junta refused to hand over power to civilians.", "REJECT", "junta", "civilians"),
    ("The rebels turned down the government's offer of amnesty.", "REJECT", "rebels", "government"),
    ("Parliament vetoed the proposed peace deal.", "REJECT", "parliament", None),
    # THREATEN
    (
        "The rebels threatened to attack the capital if the talks failed.",
        "THREATEN",
        "rebels",
        "capital",
    ),
    ("Washington threatened sanctions against Caracas.", "THREATEN", "washington", "caracas"),
    ("The army issued an ultimatum to the rebels to leave the city.", "THREATEN", "army", "rebels"),
    # PROTEST
    ("Thousands of students marched through the streets of Khartoum.", "PROTEST", "students", None),
    ("Dock workers went on strike over unpaid wages.", "PROTEST", "workers", None),
    ("Prisoners began a hunger strike to protest their detention.", "PROTEST", "prisoners", None),
    ("Inmates rioted at the central prison on Sunday.", "PROTEST", "inmates", None),
    # MOBILIZE
    (
        "India deployed thousands of troops along the border with Pakistan.",
        "MOBILIZE",
        "india",
        None,
    ),
    ("The army put its units on high alert after the attack.", "MOBILIZE", "army", None),
    ("The government called up 10,000 reservists.", "MOBILIZE", "government", None),
    # SANCTION
    (
        "The United States imposed sanctions on three army generals.",
        "SANCTION",
        "united states",
        "generals",
    ),
    ("Morocco recalled its ambassador from Algeria.", "SANCTION", "morocco", "algeria"),
    ("Rwanda severed diplomatic relations with France.", "SANCTION", "rwanda", "france"),
    # COERCE
    (
        "Police arrested twenty opposition supporters in Harare on Saturday.",
        "COERCE",
        "police",
        "supporters",
    ),
    ("The authorities imposed a curfew on the northern city.", "COERCE", "authorities", "city"),
    ("The government shut down two independent newspapers.", "COERCE", "government", "newspapers"),
    (
        "The court sentenced the former minister to ten years in prison.",
        "COERCE",
        "court",
        "minister",
    ),
    # ASSAULT
    ("Gunmen kidnapped a German engineer near Kano.", "ASSAULT", "gunmen", "engineer"),
    (
        "A suicide bomber killed twelve worshippers at a mosque in Maiduguri.",
        "ASSAULT",
        "bomber",
        "worshippers",
    ),
    ("Militiamen killed twelve villagers with machetes.", "ASSAULT", "militiamen", "villagers"),
    ("Gunmen tried to assassinate the governor.", "ASSAULT", "gunmen", "governor"),
    # FIGHT
    ("Government troops clashed with rebels near Goma on Sunday.", "FIGHT", "forces", "rebels"),
    ("The army shelled the rebel-held town.", "FIGHT", "army", "town"),
    ("Troops exchanged fire with militants near the border.", "FIGHT", "troops", "militants"),
    (
        "Government forces launched a military operation against the rebels.",
        "FIGHT",
        "forces",
        "rebels",
    ),
    # reported speech: the event is the complement, its source the complement's subject
    ("Police said gunmen killed three farmers in the village.", "ASSAULT", "gunmen", "farmers"),
    ("The army said rebels had ambushed a patrol.", "FIGHT", "rebels", "patrol"),
    (
        "In a statement on Sunday, the interior ministry said police had arrested eight suspects.",
        "COERCE",
        "police",
        "suspects",
    ),
    (
        "The envoy said the two parties must return to the negotiating table.",
        "DEMAND",
        "envoy",
        "parties",
    ),
    # a relative clause is not the main event
    (
        "Soldiers who had clashed with rebels last week arrested the mayor.",
        "COERCE",
        "soldiers",
        "mayor",
    ),
    # a threat, not the threatened act
    ("The group threatened to bomb the embassy.", "THREATEN", "group", "embassy"),
    # denial: the event is the rejection
    (
        "A spokesman for the rebels denied that their fighters had attacked the village.",
        "REJECT",
        "spokesman",
        None,
    ),
    # future and intent: cooperative acts are AGREE, hostile ones THREATEN
    ("Brazil said it would back the new peace plan.", "AGREE", "brazil", None),
    (
        "The government said it would not accept foreign troops on its soil.",
        "REJECT",
        "government",
        None,
    ),
    (
        "Ghana said it would cut diplomatic ties with Togo unless the border was reopened.",
        "THREATEN",
        "ghana",
        "togo",
    ),
    ("The government has not lifted the ban on opposition rallies.", "REJECT", "government", None),
    # passive: the agent is the source
    (
        "Two journalists were detained by the secret police in the capital.",
        "COERCE",
        "police",
        "journalists",
    ),
]


@pytest.fixture(scope="module")
def coder():
    from conflictmap.extract.entities import find_entities
    from conflictmap.extract.gazetteer import Gazetteer
    from conflictmap.extract.pipeline import load_pipeline, parse

    nlp = load_pipeline()
    gazetteer = Gazetteer.default()

    def _code(text: str) -> tuple[list[PloverEvent], object]:
        [doc] = parse(nlp, [text])
        table = find_entities(doc, gazetteer)
        return code_sentence(next(iter(doc.sents)), table), table

    return _code


def _has(strings: tuple[str, ...], word: str) -> bool:
    return any(word in s.casefold() for s in strings)


def _main(coder, text: str) -> PloverEvent:
    events, _ = coder(text)
    assert events, f"no event in {text!r}"
    return events[0]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "category", "source", "target"), CASES)
def test_main_event(coder, text: str, category: str, source: str | None, target: str | None):
    event = _main(coder, text)
    summary = f"{event.category} on {event.trigger!r} src={event.source} tgt={event.target}"
    assert event.category == category, summary
    assert source is None or _has(event.source, source), summary
    assert target is None or _has(event.target, target), summary


def test_every_category_has_cases():
    categories = {c[1] for c in CASES}
    expected = {
        "AGREE CONSULT SUPPORT COOPERATE AID CONCEDE RETREAT INVESTIGATE DEMAND DISAPPROVE",
        "REJECT THREATEN PROTEST MOBILIZE SANCTION COERCE ASSAULT FIGHT",
    }
    assert categories == {c for line in expected for c in line.split()}
    for category in categories:
        assert sum(c[1] == category for c in CASES) >= 2


@pytest.mark.slow
def test_negated_act_keeps_its_category(coder):
    event = _main(coder, "The rebels did not attack the convoy.")
    assert event.category in ("ASSAULT", "FIGHT")
    assert event.negated
    assert _has(event.target, "convoy")


@pytest.mark.slow
def test_threat_is_hypothetical_with_violence_mode(coder):
    event = _main(coder, "The rebels threatened to attack the capital if the talks failed.")
    assert (event.category, event.mode) == ("THREATEN", "violence")
    assert event.hypothetical_or_future
    assert not event.negated


@pytest.mark.slow
def test_past_act_is_not_hypothetical(coder):
    event = _main(coder, "Police arrested twenty opposition supporters in Harare on Saturday.")
    assert (event.category, event.mode) == ("COERCE", "arrest")
    assert not event.hypothetical_or_future


@pytest.mark.slow
def test_modal_speculation_is_hypothetical(coder):
    event = _main(coder, "Rebels may attack the town, a security source said.")
    assert event.category in ("ASSAULT", "FIGHT")
    assert event.hypothetical_or_future
    assert _has(event.source, "rebels")


@pytest.mark.slow
def test_reporter_is_not_the_source(coder):
    event = _main(coder, "Police said gunmen killed three farmers in the village.")
    assert not _has(event.source, "police")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("Syrian warplanes bombed rebel positions in Idlib.", "heavy-weapons"),
        ("Prisoners began a hunger strike to protest their detention.", "strike-hun"),
        ("The Chinese premier telephoned the Pakistani president on Sunday.", "phone"),
        ("Pirates hijacked a cargo ship off the coast.", "abduct"),
        ("The authorities imposed a curfew on the northern city.", "curfew"),
    ],
)
def test_modes(coder, text: str, mode: str):
    assert _main(coder, text).mode == mode


@pytest.mark.slow
def test_offsets_point_into_the_text(coder):
    text = "Officials said on Monday that police had arrested the mayor of the town."
    event = _main(coder, text)
    assert text[event.trigger_start : event.trigger_end] == event.trigger == "arrested"
    assert text[event.evidence_start : event.evidence_end] == text


@pytest.mark.slow
def test_joined_clause_gives_a_second_event(coder):
    events, _ = coder("Angry crowds torched cars and clashed with police in the capital.")
    assert [e.category for e in events] == ["PROTEST", "PROTEST"]
    assert _has(events[1].target, "police")


@pytest.mark.slow
def test_code_document_covers_every_sentence(coder):
    from conflictmap.extract.entities import find_entities
    from conflictmap.extract.gazetteer import Gazetteer
    from conflictmap.extract.pipeline import load_pipeline, parse

    text = "Norway sent aid to Chad. Police arrested the mayor."
    [doc] = parse(load_pipeline(), [text])
    events = code_document(find_entities(doc, Gazetteer.default()))
    assert [e.category for e in events] == ["AID", "COERCE"]


def test_event_is_frozen():
    event = PloverEvent("AID", None, "sent", 0, 4, ("A",), ("B",), False, False, 0, 10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.category = "FIGHT"  # type: ignore[misc]


def test_lexicons_hold_generic_lowercase_words_only():
    words = set(plover.WORDS) | set(plover.OBJECT_RULES) | set(plover.ACTOR_NOUNS)
    words |= {w for rules in plover.OBJECT_RULES.values() for ws, _ in rules for w in ws}
    assert words and all(w == w.lower() for w in words)
    categories = {c for c, _ in plover.WORDS.values()}
    assert categories <= set(CATEGORIES)
