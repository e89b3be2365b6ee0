"""Event stage: ACLED-coded events with actors, targets, place, date and fatalities.

A trigger lexicon (lemmas, noun and verb forms, a few multi-word cues) proposes an event
type; the type is then refined by its arguments (a seizure of a town vs. of hostages, an
attack on soldiers vs. on villagers, a state force retaking territory). Events under a
threat, plan or vow ("threatened to attack") are hypothetical and not coded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from spacy.tokens import Span, Token

from conflictmap.extract import lexicon
from conflictmap.extract.attribution import evidence_for
from conflictmap.extract.entities import EntityTable, dateline_chars, doc_text, original
from conflictmap.extract.relations import (
    ACTORS,
    _arguments,
    _entities_at,
    _subjects,
    hypothetical,
    sentence_times,
)
from conflictmap.extract.syntax import in_clause_of, in_side_clause, is_metonym, tokens
from conflictmap.model import Attribution, Event, TimeValue

BATTLES = "Battles"
VAC = "Violence against civilians"
REMOTE = "Explosions/Remote violence"
PROTESTS = "Protests"
RIOTS = "Riots"
STRATEGIC = "Strategic developments"

# lemma -> (event type, sub-event type, PLOVER category)
TRIGGERS: dict[str, tuple[str, str, str]] = {
    **dict.fromkeys(
        [
            "clash",
            "fight",
            "battle",
            "skirmish",
            "firefight",
            "gunfight",
            "combat",
            "fighting",
            "siege",
        ],
        (BATTLES, "Armed clash", "FIGHT"),
    ),
    **dict.fromkeys(
        [
            "seize",
            "capture",
            "overrun",
            "occupy",
            "takeover",
            "fall",
            "storm",
            "enter",
            "overtake",
            *("drive", "chase", "expel", "oust", "dislodge"),
            *("take", "gain"),
        ],
        (BATTLES, "Non-state actor overtakes territory", "FIGHT"),
    ),
    **dict.fromkeys(
        ["recapture", "retake", "liberate", "regain", "reclaim"],
        (BATTLES, "Government regains territory", "FIGHT"),
    ),
    **dict.fromkeys(
        ["attack", "assault", "raid", "ambush", "offensive"], (BATTLES, "Armed clash", "FIGHT")
    ),
    **dict.fromkeys(
        [
            "kill",
            "murder",
            "massacre",
            "execute",
            "behead",
            "slaughter",
            "whip",
            "flog",
            "amputate",
            "torture",
            "lynch",
            "execution",
            "killing",
            "lash",
            "flogging",
            "whipping",
            "amputation",
            "beating",
            "shoot",
            "stone",
            "beat",
            "injure",
            "wound",
            "brutalise",
            "brutalize",
            "stab",
        ],
        (VAC, "Attack", "ASSAULT"),
    ),
    **dict.fromkeys(
        ["kidnap", "abduct", "kidnapping", "abduction", "hostage-taking"],
        (VAC, "Abduction/forced disappearance", "ASSAULT"),
    ),
    **dict.fromkeys(["rape"], (VAC, "Sexual violence", "ASSAULT")),
    **dict.fromkeys(
        [
            "destroy",
            "demolish",
            "raze",
            "loot",
            "burn",
            "torch",
            "pillage",
            "ransack",
            "vandalise",
            "vandalize",
            "looting",
            "destruction",
            "plunder",
            "smash",
            "rob",
            "robbery",
        ],
        (STRATEGIC, "Looting/property destruction", "ASSAULT"),
    ),
    **dict.fromkeys(
        ["arrest", "detain", "apprehend", "arrests", "detention"], (STRATEGIC, "Arrests", "COERCE")
    ),
    **dict.fromkeys(
        ["protest", "demonstrate", "demonstration", "rally", "march", "sit-in"],
        (PROTESTS, "Peaceful protest", "PROTEST"),
    ),
    **dict.fromkeys(["riot", "rioting"], (RIOTS, "Violent demonstration", "PROTEST")),
    **dict.fromkeys(
        ["airstrike", "air-strike", "bombard", "bombing", "bomb"],
        (REMOTE, "Air/drone strike", "FIGHT"),
    ),
    **dict.fromkeys(
        ["shell", "shelling", "mortar", "artillery", "rocket", "missile"],
        (REMOTE, "Shelling/artillery/missile attack", "FIGHT"),
    ),
    **dict.fromkeys(["grenade"], (REMOTE, "Grenade", "FIGHT")),
    **dict.fromkeys(
        ["abandon", "withdraw", "handover"],
        (STRATEGIC, "Non-violent transfer of territory", "RETREAT"),
    ),
    **dict.fromkeys(
        ["ied", "landmine", "mine", "roadside"], (REMOTE, "Remote explosive/landmine/IED", "FIGHT")
    ),
    **dict.fromkeys(
        ["agreement", "accord", "ceasefire", "cease-fire", "truce", "deal", "pact", "treaty"],
        (STRATEGIC, "Agreement", "AGREE"),
    ),
    **dict.fromkeys(
        [
            "recruit",
            "recruitment",
            "enlist",
            "merge",
            "split",
            "defect",
            "disband",
            "rename",
            "impose",
            "enforce",
        ],
        (STRATEGIC, "Change to group/activity", "MOBILIZE"),
    ),
    **dict.fromkeys(["release", "free"], (STRATEGIC, "Other", "CONCEDE")),
    **dict.fromkeys(["coup", "mutiny"], (STRATEGIC, "Other", "COERCE")),
}
PHRASE_TRIGGERS: list[tuple[re.Pattern[str], tuple[str, str, str]]] = [
    (
        re.compile(r"\bsuicide (?:car )?(?:bomb|bomber|bombing|attack|attacker)s?\b", re.I),
        (REMOTE, "Suicide bomb", "FIGHT"),
    ),
    (
        re.compile(r"\b(?:air|drone) (?:strike|raid)s?\b", re.I),
        (REMOTE, "Air/drone strike", "FIGHT"),
    ),
    (
        re.compile(
            r"\b(?:roadside bomb|improvised explosive|explosive device|landmine|land mine)s?\b",
            re.I,
        ),
        (REMOTE, "Remote explosive/landmine/IED", "FIGHT"),
    ),
    (
        re.compile(r"\btook (?:control|hold) of\b|\btake (?:control|hold) of\b", re.I),
        (BATTLES, "Non-state actor overtakes territory", "FIGHT"),
    ),
    (
        re.compile(
            r"\b(?:set up|established?|setting up) (?:a |its |their |his )?(?:base|headquarters)\b",
            re.I,
        ),
        (STRATEGIC, "Headquarters or base established", "MOBILIZE"),
    ),
    (
        re.compile(r"\b(?:took|taken|take|seized) (?:\w+ )?hostages?\b", re.I),
        (VAC, "Abduction/forced disappearance", "ASSAULT"),
    ),
    (re.compile(r"\bexchanged? (?:of )?(?:gun)?fire\b", re.I), (BATTLES, "Armed clash", "FIGHT")),
    (
        re.compile(r"\b(?:open(?:ed|s|ing)?|fired) (?:fire )?(?:on|at|into|upon)\b", re.I),
        (BATTLES, "Armed clash", "FIGHT"),
    ),
    (
        re.compile(r"\bcut(?:ting|s)? off (?:\w+ ){0,3}?(?:hands?|feet|foot|limbs?|ears?)\b", re.I),
        (VAC, "Attack", "ASSAULT"),
    ),
    (re.compile(r"\bcease[- ]?fire\b", re.I), (STRATEGIC, "Agreement", "AGREE")),
    (
        re.compile(
            r"\bchemical (?:weapons?|attacks?|agents?|munitions?)\b|\bsarin\b|\bnerve agents?\b"
            r"|\b(?:chlorine|mustard|toxic|poison) gas\b|\bchlorine (?:attack|barrel)s?\b",
            re.I,
        ),
        (REMOTE, "Chemical weapon", "ASSAULT"),
    ),
    (
        re.compile(
            r"\b(?:pulled|pull|pulls|pulling) out of\b|\b(?:handed|hand|hands) over\b", re.I
        ),
        (STRATEGIC, "Non-violent transfer of territory", "RETREAT"),
    ),
    (
        re.compile(
            r"\b(?:sh[o]t|shoot(?:s|ing)?|brought|bring(?:s|ing)?) down (?:\w+ ){0,3}?"
            r"(?:drones?|aircraft|planes?|helicopters?|jets?)\b"
            r"|\b(?:drones?|aircraft|planes?|helicopters?|jets?) (?:\w+ ){0,3}?"
            r"(?:shot|brought) down\b"
            r"|\b(?:defus|dismantl|disarm|seiz|confiscat|intercept|discover)\w* (?:\w+ ){0,4}?"
            r"(?:arms|weapons|ammunition|explosives|depots?|caches?|ied|ieds|bombs?|mines)\b",
            re.I,
        ),
        (STRATEGIC, "Disrupted weapons use", "COERCE"),
    ),
    (
        re.compile(
            r"\b(?:creat|form|launch|establish|found|set(?:ting)? up)\w* (?:\w+ ){0,4}?"
            r"(?:armed group|militia|brigade|battalion|katiba|faction|armed wing|self-defen[cs]e"
            r" group)\b",
            re.I,
        ),
        (STRATEGIC, "Change to group/activity", "MOBILIZE"),
    ),
    (
        re.compile(
            r"\b(?:took|take|takes|taking|went|go|goes|were|are) (?:\w+ )?(?:to|in|into|on)"
            r" the streets?\b",
            re.I,
        ),
        (PROTESTS, "Peaceful protest", "PROTEST"),
    ),
    (
        re.compile(
            r"\b(?:(?:put|putting|puts|broke|break|breaks|breaking|broken) (?:down|up)"
            r"|dispersed?|disperses|dispersing)\b(?:\s+\w+){0,3}?\s+(?:protests?|demonstrations?"
            r"|protesters|demonstrators|crowds?|rally|rallies|march|sit-in)\b",
            re.I,
        ),
        (PROTESTS, "Protest with intervention", "PROTEST"),
    ),
    (
        re.compile(r"\b(?:took|take|takes|taking|taken) over\b", re.I),
        (BATTLES, "Non-state actor overtakes territory", "FIGHT"),
    ),
    (
        re.compile(
            r"\b(?:set|sets|setting) fire to\b|\bset (?:\w+ ){1,3}?(?:on fire|ablaze)\b", re.I
        ),
        (STRATEGIC, "Looting/property destruction", "ASSAULT"),
    ),
    (
        re.compile(
            r"\b(?:gain(?:ed|s)?|took|take|takes|seized?|wrest(?:ed)?) (?:full )?control\b", re.I
        ),
        (BATTLES, "Non-state actor overtakes territory", "FIGHT"),
    ),
]
# Event types whose trigger and place are enough, even when no actor is named ("a roadside
# bomb exploded near Gao", "hundreds protested in Bamako").
SELF_EVIDENT = frozenset({BATTLES, REMOTE, PROTESTS, RIOTS, VAC})
# Verbs whose subject, when a place, is a government rather than a location.
ARMED_VICTIMS = frozenset(
    {
        "soldier",
        "troop",
        "fighter",
        "rebel",
        "militant",
        "jihadist",
        "insurgent",
        "gunman",
        "policeman",
        "gendarme",
        "peacekeeper",
        "militiaman",
        "officer",
        "guard",
        "force",
        "army",
        "combatant",
        "islamist",
    }
)
CIVILIAN_VICTIMS = frozenset(
    {
        "market",
        "village",
        "church",
        "mosque",
        "school",
        "hospital",
        "civilian",
        "villager",
        "resident",
        "worshipper",
        "woman",
        "child",
        "student",
        "farmer",
        "herder",
        "passenger",
        "trader",
        "people",
        "hostage",
        "tourist",
        "aid",
        "teacher",
        "family",
        "couple",
        "drinker",
        "smoker",
        "man",
        "men",
        "person",
    }
)
KILL_WORDS = r"(?:killed|dead|died|slain|shot dead|lost their lives|were killed|was killed|deaths)"
NUMBER = (
    r"(\d[\d,]*|"
    + "|".join(
        sorted((re.escape(w) for w in lexicon.NUMBER_WORDS if " " not in w), key=len, reverse=True)
    )
    + r"(?:-\w+)?)"
)
BOUND = (
    r"(?:at least |some |about |around |nearly |almost |more than |over |up to |as many as "
    r"|an estimated )?"
)
FATALITY_PATTERNS = [
    re.compile(
        r"\b(?:killing|killed|kill|leaving|left|claimed the lives of)\s+" + BOUND + NUMBER + r"\b",
        re.I,
    ),
    re.compile(
        r"\b"
        + BOUND
        + NUMBER
        + r"\s+(?:[\w-]+\s+){0,3}?(?:were |was |have been |had been )?"
        + KILL_WORDS,
        re.I,
    ),
    re.compile(
        r"\b(?:death toll|toll)\s+(?:\w+\s+){0,4}?(?:to|of|at|is|was)\s+" + BOUND + NUMBER, re.I
    ),
]
ORDINAL_OR_YEAR = re.compile(r"^(1[89]|20)\d\d$")


@dataclass
class _Draft:
    event_type: str
    sub_event_type: str
    plover: str
    trigger: Token


def find_events(
    table: EntityTable,
    attributions: dict[int, Attribution],
    anchor: date | None,
) -> list[Event]:
    """Events of a document. An event needs a participant, a toll, or, for violent and
    protest events, a place named in its own sentence; its place defaults to the last town
    named before it, else the document's first town."""
    events: list[Event] = []
    dateline = dateline_chars(table.doc)
    first_city = next(
        (
            m.canonical
            for m in table.mentions
            if m.start not in dateline and _is_city(table, m.canonical)
        ),
        None,
    )
    last_place: str | None = first_city
    for sent in table.doc.sents:
        places = table.in_tokens((t for t in tokens(sent) if t.idx not in dateline), ("LOCATION",))
        drafts = _sentence_drafts(sent, table)
        for draft in drafts:
            event = _fill(draft, sent, table, attributions, anchor, last_place, dateline)
            if event.evidence.negated or _generic(draft):
                continue  # "the group denied any looting", "turned to roadside bombs"
            placed_here = event.location in places
            if (
                event.actors
                or event.targets
                or event.fatalities
                or (placed_here and draft.event_type in SELF_EVIDENT)
                or _has_participants(draft.trigger)
            ):
                events.extend(_one_per_place(event, draft, table))
        city = [p for p in places if _is_city(table, p)]
        if city:
            last_place = city[-1]
    return events


def _has_participants(trigger: Token) -> bool:
    """A verb with someone doing or undergoing it ("rebels overtake a town", "a couple were
    stoned"), named or not: an event, as ACLED codes unnamed actors too. A noun trigger
    counts through the verb it hangs on ("a convoy came under attack", "attacks were
    carried out"), or as the subject of a clause ("heavy fighting broke out")."""
    conjoined = trigger.dep_ == "conj" and trigger.head.pos_ in ("VERB", "AUX")
    if conjoined and _has_participants(trigger.head):  # "were tied up and stoned to death"
        return True
    if trigger.dep_ == "compound" and trigger.head.pos_ == "NOUN":
        trigger = trigger.head  # "a ceasefire agreement"
    if trigger.pos_ == "NOUN":
        if trigger.dep_ == "ROOT":
            return True  # a headline or a note: "Heavy fighting in the north"
        verb = trigger.head.head if trigger.dep_ == "pobj" else trigger.head
        if trigger.dep_ in ("nsubj", "nsubjpass"):
            return verb.lemma_.lower() in NOMINAL_EVENT_VERBS
        return (
            verb.pos_ in ("VERB", "AUX")
            and verb.lemma_.lower() in LIGHT_VERBS | CARRIER_VERBS
            and _has_participants(verb)
        )
    if trigger.pos_ not in ("VERB", "AUX"):
        return False
    arguments = [c for c in trigger.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
    arguments += [p for c in trigger.children if c.dep_ == "agent" for p in c.children]
    arguments += _subjects(trigger)
    return any(a.pos_ in ("NOUN", "PROPN", "PRON", "NUM") for a in arguments)


def _topic_of_another_trigger(token: Token) -> bool:
    """A noun trigger that is what another event is about ("protest the arrest of their
    leader"): the earlier event is the topic, not a second event."""
    if token.pos_ != "NOUN" or token.dep_ not in ("dobj", "pobj"):
        return False
    head = token.head.head if token.dep_ == "pobj" else token.head
    return head.i != token.i and (head.lemma_.lower() in TRIGGERS)


def _descriptive(token: Token) -> bool:
    """A participle or present-tense clause describing a participant ("Islamists occupying
    the north", "the occupied north", "groups that control the region"): a state of
    affairs, not an event."""
    if token.dep_ == "acl" and token.tag_ == "VBG":
        return True
    if token.dep_ == "amod" and token.tag_ in ("VBN", "VBG", "JJ"):
        return True
    return token.dep_ == "relcl" and token.tag_ in ("VBG", "VBZ", "VBP")


def _generic(draft: _Draft) -> bool:
    """A plural noun trigger without participants speaks of a practice ("the group turned to
    roadside bombs"), not of one event."""
    trigger = draft.trigger
    while trigger.dep_ == "conj" and trigger.head.i != trigger.i:
        trigger = trigger.head  # "roadside bombs and suicide attacks"
    if trigger.tag_ not in ("NNS", "NNPS") or trigger.dep_ not in ("pobj", "dobj"):
        return False
    if any(c.dep_ in ("det", "nummod", "prep", "poss") for c in trigger.children):
        return False  # "the attacks", "clashes between X and Y": particular events
    verb = trigger.head.head if trigger.dep_ == "pobj" else trigger.head
    return verb.pos_ == "VERB" and verb.lemma_.lower() not in LIGHT_VERBS | CARRIER_VERBS


def _one_per_place(event: Event, draft: _Draft, table: EntityTable) -> list[Event]:
    """ "Timbuktu, Kidal and Gao have been occupied by X": one territorial event per town,
    as ACLED codes them, each with the same evidence."""
    if draft.event_type != BATTLES or draft.sub_event_type == "Armed clash":
        return [event]
    _, patients = _arguments(draft.trigger, table)
    towns = _unique([p for p in patients if table.type_of(p) == "LOCATION" and _is_city(table, p)])
    if len(towns) < 2:
        return [event]
    return [replace(event, location=town) for town in towns]


def _is_city(table: EntityTable, name: str) -> bool:
    geo = table.entities[name].geo
    return geo is not None and geo.feature == "city"


def _trigger_coding(token: Token) -> tuple[str, str, str] | None:
    """The lexicon entry of a token by its lemma, its form, or, when the lemmatizer slips on
    a verb form ("raped" -> "rap"), the form without its inflection."""
    coding = TRIGGERS.get(token.lemma_.lower()) or TRIGGERS.get(token.lower_)
    if coding is not None or token.tag_ not in ("VBD", "VBN", "VBG"):
        return coding
    word = token.lower_
    stems = (word[:-1], word[:-2]) if token.tag_ != "VBG" else (word[:-3], word[:-3] + "e")
    return next((TRIGGERS[s] for s in stems if s in TRIGGERS), None)


def _sentence_drafts(sent: Span, table: EntityTable) -> list[_Draft]:
    drafts: dict[str, _Draft] = {}
    text = doc_text(table.doc)[sent.start_char : sent.end_char]  # Span.text joins tokens
    for pattern, coding in PHRASE_TRIGGERS:
        for match in pattern.finditer(text):
            span = table.doc.char_span(
                sent.start_char + match.start(),
                sent.start_char + match.end(),
                alignment_mode="expand",
            )
            if span is None:
                continue
            refined = _refine(coding, span.root, table)
            if refined is not None:
                drafts.setdefault(refined[1], _Draft(*refined, span.root))
    for token in tokens(sent):
        coding = _trigger_coding(token)
        if coding is None or token.pos_ not in ("VERB", "NOUN") or token.ent_type_ == "DATE":
            continue
        if hypothetical(token) or _not_an_event(token) or _descriptive(token):
            continue
        coding = _refine(coding, token, table)
        if coding is None or _topic_of_another_trigger(token):
            continue
        held = drafts.get(coding[1])
        if held is None or (held.trigger.pos_ == "NOUN" and token.pos_ == "VERB"):
            drafts[coding[1]] = _Draft(*coding, token)  # "Arrests: 20 were arrested by ..."
    # a sentence that reports a seizure also says "attack"/"killed": keep the most specific
    if "Non-state actor overtakes territory" in drafts or "Government regains territory" in drafts:
        drafts.pop("Armed clash", None)
    if "Abduction/forced disappearance" in drafts:
        drafts.pop("Non-state actor overtakes territory", None)
    if "Air/drone strike" in drafts and not _mentions_aircraft(sent):
        drafts.pop("Air/drone strike")
        if not any(d.event_type == REMOTE for d in drafts.values()):
            drafts["Remote explosive/landmine/IED"] = _Draft(
                REMOTE, "Remote explosive/landmine/IED", "FIGHT", sent.root
            )
    if "Attack" in drafts and "Armed clash" in drafts:
        lemmas = {t.lemma_.lower() for t in tokens(sent)}
        civilian = lemmas & CIVILIAN_VICTIMS and not lemmas & ARMED_VICTIMS
        drafts.pop("Armed clash" if civilian else "Attack")
    if any(d.event_type == REMOTE for d in drafts.values()):
        drafts.pop("Armed clash", None)
        drafts.pop("Attack", None)
    kept = [d for d in drafts.values() if not hypothetical(d.trigger)]
    # main-clause events first, then in text order: the sentence's own event leads
    return sorted(kept, key=lambda d: (in_side_clause(d.trigger), d.trigger.i))


def _mentions_aircraft(sent: Span) -> bool:
    return any(t.lower_ in lexicon.AIRCRAFT_WORDS for t in tokens(sent))


def _conditional(token: Token) -> bool:
    """Inside an "if"/"unless" clause or "in case of": what might happen, not what did."""
    node = token
    for _ in range(6):
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in node.children):
            return True
        if node.lower_ == "of" and node.head.lower_ == "case":
            return True
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def _not_an_event(token: Token) -> bool:
    """Trigger words used in another sense: a "deal" of attention, a historical "free" state."""
    if token.lower_ == "according" or _conditional(token):
        return True
    if token.lemma_ == "fall" and not any(c.lower_ in ("to", "into") for c in token.children):
        return True
    if token.lemma_ in ("free", "release") and not _has_object_like(
        token, ("hostage", "prisoner", "captive", "detainee", "ransom", "worker", "tourist")
    ):
        return True
    if token.lemma_ in DISLODGE_VERBS and not (
        any(c.dep_ == "dobj" for c in token.children)
        and any(t.lower_ in ("from", "out") for t in token.subtree if t.i > token.i)
    ):
        return True  # "drove X from the town", not "trucks drove north"
    if token.lemma_ in ("take", "gain") and not any(c.dep_ == "dobj" for c in token.children):
        return True  # "take part", "gained ground": only taking a place is an event
    if token.lemma_ == "march" and token.is_title:
        return True  # the month, where the model did not tag it DATE
    if token.lemma_ in ("impose", "enforce") and not any(
        c.lemma_ in ("law", "sharia", "rule", "curfew", "ban") for c in token.subtree
    ):
        return True
    return token.lemma_ in ("deal", "mine", "rocket", "missile", "rally") and token.pos_ != "NOUN"


def _has_object_like(token: Token, heads: tuple[str, ...]) -> bool:
    return any(t.lemma_ in heads for t in token.subtree) or any(
        t.lemma_ in heads for t in token.sent
    )


def _refine(
    coding: tuple[str, str, str], token: Token, table: EntityTable
) -> tuple[str, str, str] | None:
    event_type, sub, plover = coding
    objects = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
    object_lemmas = {t.lemma_.lower() for o in objects for t in o.subtree}
    if sub == "Non-state actor overtakes territory":
        if object_lemmas & {"hostage", "captive", "tourist", "worker"}:
            return (VAC, "Abduction/forced disappearance", "ASSAULT")
        if token.pos_ == "VERB" and objects and not _place_object(objects, table):
            storming = token.lemma_ in ("storm", "raid", "overrun", "enter")
            if storming and object_lemmas & BUILDING_OBJECTS:  # "stormed the offices of"
                if _victim_lemmas(token) & ARMED_VICTIMS:
                    return (BATTLES, "Armed clash", "FIGHT")
                return (VAC, "Attack", "ASSAULT")
            if token.lemma_ not in ("seize", "capture"):
                return None  # "the protest entered its third day"
        if (
            token.lemma_ in ("seize", "capture")
            and objects
            and not table.in_tokens((t for o in objects for t in o.subtree), ("LOCATION",))
            and not object_lemmas & {"town", "city", "village", "base", "camp", "control"}
        ):
            return (STRATEGIC, "Other", "SEIZE") if object_lemmas else None
        actors = [n for s in _subjects(token) for n in _entities_at(s, table, ACTORS)]
        if actors and all(table.type_of(a) == "STATE_FORCE" for a in actors):
            return (BATTLES, "Government regains territory", "FIGHT")
    if sub == "Government regains territory":
        actors = [n for s in _subjects(token) for n in _entities_at(s, table, ACTORS)]
        if actors and not any(table.type_of(a) == "STATE_FORCE" for a in actors):
            return (BATTLES, "Non-state actor overtakes territory", "FIGHT")
    if sub == "Non-violent transfer of territory" and token.lemma_ in ("abandon", "withdraw"):
        places = objects + [p for c in token.children if c.lower_ == "from" for p in c.children]
        if not places or not _place_object(places, table):
            return None  # "withdrew from the talks", "abandoned the plan"
    if sub == "Abduction/forced disappearance" and _victim_lemmas(token) & ARMED_VICTIMS:
        return (BATTLES, "Armed clash", "FIGHT")  # ACLED: armed actors on both sides
    violent = sub in ("Attack", "Armed clash", "Looting/property destruction")
    if violent and (token.lemma_ == "lynch" or _by_mob(token)):
        return (RIOTS, "Mob violence", "ASSAULT")
    if violent and _by_protesters(token):
        return (RIOTS, "Violent demonstration", "PROTEST")
    if sub in ("Attack", "Armed clash") and _victim_lemmas(token) & PROTESTING_VICTIMS:
        return (PROTESTS, "Excessive force against protesters", "ASSAULT")
    if event_type == BATTLES and "territory" in sub and _without_fighting(token):
        return (STRATEGIC, "Non-violent transfer of territory", "RETREAT")
    if sub in ("Armed clash", "Attack") and token.lemma_ not in TRIGGERS_CLASH_ONLY:
        victims = _victim_lemmas(token)
        if victims & CIVILIAN_VICTIMS and not victims & ARMED_VICTIMS:
            return (VAC, "Attack", "ASSAULT")
        if victims & ARMED_VICTIMS:
            return (BATTLES, "Armed clash", "FIGHT")
    return coding


DISLODGE_VERBS = frozenset({"drive", "chase", "expel", "oust", "dislodge"})
# verbs that carry a noun event ("launched attacks", "carried out amputations")
LIGHT_VERBS = frozenset(
    {
        "launch",
        "carry",
        "conduct",
        "stage",
        "mount",
        "perpetrate",
        "commit",
        "claim",
        "lead",
        "make",
        "give",
        "receive",
        "plant",
    }
)
# verbs through which a noun event has participants ("came under attack", "gathered for a
# rally", "were wounded in the fighting")
CARRIER_VERBS = frozenset(
    {
        *("come", "gather", "hold", "organise", "organize", "kill", "die", "wound", "injure"),
        *("flee", "sign", "reach", "conclude", "broker", "agree"),
    }
)
# verbs whose subject, when a noun trigger, reports one event ("fighting broke out")
NOMINAL_EVENT_VERBS = frozenset(
    {
        "break",
        "erupt",
        "continue",
        "occur",
        "happen",
        "rage",
        "resume",
        "kill",
        "leave",
        "claim",
        "last",
        "intensify",
        "spread",
        "come",
        "begin",
        "start",
        "hit",
        "target",
        "destroy",
        "wound",
        "injure",
        "report",
        "take",
        "enter",
    }
)
PLACE_OBJECTS = frozenset(
    {
        "town",
        "city",
        "village",
        "base",
        "camp",
        "control",
        "area",
        "region",
        "district",
        "locality",
        "airport",
        "post",
        "position",
        "outpost",
        "checkpoint",
        "garrison",
        "barracks",
        "capital",
        "north",
        "south",
        "east",
        "west",
        "territory",
        "stronghold",
        "province",
        "port",
        "border",
        "crossing",
    }
)
BUILDING_OBJECTS = frozenset(
    {
        "office",
        "headquarters",
        "palace",
        "building",
        "home",
        "house",
        "compound",
        "prison",
        "station",
        "broadcaster",
        "embassy",
        "bank",
        "market",
        "church",
        "mosque",
        "school",
        "hospital",
        "hotel",
    }
)
PROTESTER_NOUNS = frozenset(
    {
        "protester",
        "demonstrator",
        "rioter",
        "youth",
        "mob",
        "crowd",
        "student",
        "resident",
        "villager",
        "trader",
    }
)

ENTITY_INTER = {"STATE_FORCE": 1, "ARMED_GROUP": 2}
# objects of event phrases that are no participant: "set fire to", "took control of"
NOT_PARTICIPANTS = frozenset({"fire", "control", "part", "hold", "power", "streets", "street"})
NOUN_INTER: tuple[tuple[frozenset[str], int], ...] = (
    (frozenset({"rioter", "mob"}), 5),
    (frozenset({"protester", "demonstrator", "marcher"}), 6),
    (
        frozenset(
            {
                "soldier",
                "troop",
                "army",
                "police",
                "policeman",
                "gendarme",
                "gendarmerie",
                "military",
                "peacekeeper",
            }
        ),
        1,
    ),
    (
        frozenset(
            {
                "gunman",
                "gunmen",
                "fighter",
                "militant",
                "rebel",
                "jihadist",
                "islamist",
                "insurgent",
                "assailant",
                "attacker",
                "militia",
                "militiaman",
                "bandit",
                "kidnapper",
                "extremist",
                "terrorist",
            }
        ),
        3,
    ),
    (CIVILIAN_VICTIMS | {"youth", "supporter", "worker", "journalist", "official"}, 7),
)

LETHAL_TRIGGERS = frozenset(
    {"kill", "execute", "execution", "murder", "behead", "slaughter", "lynch", "assassinate"}
)
LETHAL_PHRASE = re.compile(r"\b(?:dead|to death)\b", re.I)
# victims that make an attack "excessive force against protesters" (also "residents
# protesting the occupation": the participle's lemma)
HISTORICAL_DAYS = 90  # an event ending this long before the report is background
LANDMARK_WORDS = frozenset({"near", "outside", "nearby", "close", "towards", "toward", "from"})
# where people went after the act, not where it happened: "evacuated to X", "fled into X"
DEPARTURE_VERBS = frozenset(
    {
        "evacuate", "flee", "fly", "airlift", "escape", "withdraw", "retreat", "send",
        "transfer", "take", "move", "relocate", "deport", "repatriate", "cross", "pull",
    }
)  # fmt: skip
PROTESTING_VICTIMS = frozenset({"protester", "demonstrator", "marcher", "protest", "demonstrate"})
WITHOUT_FIGHTING = re.compile(
    r"\bwithout (?:a |any )?(?:fight|fighting|resistance|a shot|firing a shot|bloodshed)"
    r"|\b(?:handed|hand|hands|handing) over\b",
    re.I,
)

TRIGGERS_CLASH_ONLY = frozenset(
    {"clash", "fight", "battle", "skirmish", "firefight", "gunfight", "combat", "fighting"}
)


def _place_object(objects: list[Token], table: EntityTable) -> bool:
    """An object naming a place: a LOCATION, a place noun, or "the town of X"."""
    heads = list(objects)
    for o in objects:
        heads += [c for c in o.children if c.dep_ in ("conj", "appos", "compound")]
        heads += [p for c in o.children if c.lower_ == "of" for p in c.children]
    if table.in_tokens(heads, ("LOCATION",)):
        return True
    return any(t.lemma_.lower() in PLACE_OBJECTS for t in heads)


def _by_mob(token: Token) -> bool:
    return any(s.lemma_.lower() == "mob" for s in _subjects(token))


def _without_fighting(token: Token) -> bool:
    """ "took the town without a fight", "entered Gao without resistance"."""
    return bool(WITHOUT_FIGHTING.search(token.sent.text))


def _by_protesters(token: Token) -> bool:
    """Violence by people protesting ("protesters attacked ...", "youths protesting against
    X set fire to ..."): a riot in ACLED's terms."""
    for subject in _subjects(token):
        if subject.lemma_.lower() in ("protester", "demonstrator", "rioter"):
            return True
        if subject.lemma_.lower() in PROTESTER_NOUNS and any(
            c.lemma_.lower() in ("protest", "demonstrate", "riot") for c in subject.children
        ):
            return True
    return False


def _victim_lemmas(token: Token) -> set[str]:
    found: set[str] = set()
    for child in token.children:
        if child.dep_ in ("dobj", "nsubjpass"):
            found |= {t.lemma_.lower() for t in child.subtree}
        if child.dep_ == "prep" and child.lower_ in ("on", "against"):
            found |= {t.lemma_.lower() for t in child.subtree}
    if token.pos_ == "NOUN":
        found |= {t.lemma_.lower() for t in token.subtree}
    return found


def _fill(
    draft: _Draft,
    sent: Span,
    table: EntityTable,
    attributions: dict[int, Attribution],
    anchor: date | None,
    last_place: str | None,
    dateline: range = range(0),
) -> Event:
    trigger = draft.trigger
    actors, targets = _participants(trigger, sent, table)
    location = _location(trigger, sent, table, dateline) or last_place
    amount = (
        _amount(sent)
        if draft.sub_event_type in ("Other", "Abduction/forced disappearance")
        else None
    )
    targets = [t for t in targets if t not in actors]
    actor_token, target_token = (
        None if side is None or side.idx in dateline else side for side in _unnamed_sides(trigger)
    )  # "KAMPALA, July 7 - Rebels seized ...": the dateline town is no side of the act
    actor_phrase = None if actors or actor_token is None else _phrase(actor_token)
    target_phrase = None if targets or target_token is None else _phrase(target_token)
    return Event(
        event_type=draft.event_type,
        sub_event_type=draft.sub_event_type,
        evidence=evidence_for(sent, attributions.get(sent.start, Attribution()), trigger),
        actors=tuple(actors),
        targets=tuple(targets),
        actor_phrase=actor_phrase,
        target_phrase=target_phrase,
        inter1=_inter(draft, table, actors, None if actors else actor_token, side=1),
        inter2=_inter(draft, table, targets, None if targets else target_token, side=2),
        location=location,
        date=(when := _event_date(trigger, sent, anchor)),
        historical=_historical(when, anchor),
        fatalities=fatalities(sent.text, trigger.idx - sent.start_char)
        or _implied_toll(trigger, target_token),
        amount=amount,
        trigger=original(trigger.doc[trigger.i : trigger.i + 1]),  # as written, not recased
        plover=draft.plover,
    )


def _participants(trigger: Token, sent: Span, table: EntityTable) -> tuple[list[str], list[str]]:
    actors: list[str] = []
    targets: list[str] = []
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in trigger.children)
    for child in trigger.children:
        if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
            actors += [n for p in child.children for n in _entities_at(p, table, ACTORS)]
        elif child.dep_ in ("dobj",) or (child.dep_ == "nsubjpass" and passive):
            targets += _entities_at(child, table, ACTORS)
        elif child.dep_ == "prep" and child.lower_ in ("on", "against", "with", "between"):
            targets += [n for p in child.children for n in _entities_at(p, table, ACTORS)]
        elif child.dep_ in ("poss", "compound") and trigger.pos_ == "NOUN":
            actors += _entities_at(child, table, ACTORS)
    if not passive:
        actors += [n for s in _subjects(trigger) for n in _entities_at(s, table, ACTORS)]
    if not actors and trigger.pos_ == "NOUN" and trigger.dep_ in ("dobj", "pobj", "nsubj"):
        actors += [n for s in _subjects(trigger.head) for n in _entities_at(s, table, ACTORS)]
    return _unique(actors), _unique(targets)


def _implied_toll(trigger: Token, victim: Token | None) -> int | None:
    """Deaths a killing states without a number: "executed a man" -> 1, "shot dead a man
    and a boy" -> 2, "a couple were stoned to death" -> 2 (ACLED counts them)."""
    lethal = trigger.lemma_.lower() in LETHAL_TRIGGERS or (
        trigger.lemma_.lower() in ("shoot", "stone", "beat", "hack", "burn")
        and LETHAL_PHRASE.search(trigger.sent.text) is not None
    )
    if not lethal or victim is None or victim.pos_ != "NOUN":
        return None
    total = 0
    for noun in [victim, *[c for c in victim.conjuncts if c.pos_ == "NOUN"]]:
        if noun.tag_ != "NN" or any(c.dep_ == "nummod" for c in noun.children):
            return None  # a plural or a counted noun: the number patterns decide
        total += 2 if noun.lemma_.lower() == "couple" else 1
    return total


def _unnamed_sides(trigger: Token) -> tuple[Token | None, Token | None]:
    """The noun heads of the actor and target sides, named or not ("gunmen", "villagers")."""
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in trigger.children)
    actor = target = None
    for child in trigger.children:
        if child.dep_ == "agent":
            actor = actor or next((p for p in child.children if p.dep_ == "pobj"), None)
        elif child.dep_ == "dobj" or (child.dep_ == "nsubjpass" and passive):
            target = target or child
        elif child.dep_ == "prep" and child.lower_ in ("on", "against", "with", "at"):
            target = target or next((p for p in child.children if p.dep_ == "pobj"), None)
    if actor is None and not passive:
        actor = next(iter(_subjects(trigger)), None)
    nouns = ("NOUN", "PROPN", "PRON")
    return (
        actor if actor is not None and actor.pos_ in nouns else None,
        target
        if target is not None
        and target.pos_ in nouns
        and target.lemma_ not in NOT_PARTICIPANTS
        and target.ent_type_ not in ("DATE", "TIME")
        else None,
    )


def _phrase(token: Token) -> str:
    """A noun phrase as written, up to its head: "hundreds of youths" -> "hundreds"'s
    phrase with its "of" part, "an army convoy"."""
    end = token.i + 1
    for child in token.children:  # "hundreds of youths", "members of the group"
        if child.dep_ == "prep" and child.lower_ == "of":
            end = max(end, child.right_edge.i + 1)
    return original(token.doc[token.left_edge.i : end]).strip()


def _inter(
    draft: _Draft, table: EntityTable, names: list[str], token: Token | None, side: int
) -> int | None:
    """ACLED's interaction code of one side: from the named entity, else from the noun of
    an unnamed one, else what the event type implies (protesters, rioters, civilians)."""
    for name in names:
        code = ENTITY_INTER.get(table.type_of(name))
        if code is not None:
            return 3 if code == 2 and "militia" in name.lower() else code
    if token is not None:
        lemmas = {t.lemma_.lower() for t in token.subtree} | {token.lemma_.lower()}
        for nouns, code in NOUN_INTER:
            if lemmas & nouns:
                if draft.event_type in (PROTESTS, RIOTS) and code in (5, 6, 7):
                    return 5 if draft.event_type == RIOTS else 6
                return code
    if side == 1:
        return {PROTESTS: 6, RIOTS: 5}.get(draft.event_type)
    return 7 if draft.event_type == VAC else None


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _location(
    trigger: Token, sent: Span, table: EntityTable, dateline: range = range(0)
) -> str | None:
    """The place of the event: a town in the trigger's clause, else a town anywhere in the
    sentence (side clauses last), else a wider place (region, country) in the clause, then
    in the sentence.
    A town named as a landmark ("Goundam, near the city of Timbuktu") comes after the
    others, and the dateline's town (where the story was filed) is never the place."""
    doc, low, high = sent.doc, trigger.left_edge.i, trigger.right_edge.i
    hits: list[tuple[str, bool, bool, bool, bool]] = []  # name, town, clause, side, landmark
    for i in range(sent.start, sent.end):
        name = table.at(i)  # a dict lookup: tokens are only built for places
        if name is None or table.type_of(name) != "LOCATION":
            continue
        token = doc[i]
        if token.idx in dateline or is_metonym(token) or _destination(token, trigger):
            continue
        side = in_side_clause(token, ("relcl", "acl"))
        hits.append((name, _is_city(table, name), low <= i <= high, side, _landmark(token)))
    tiers = (
        lambda town, clause, side: town and clause and not side,
        lambda town, clause, side: town and not side,
        lambda town, clause, side: town,  # "... witnessed by 600 people in Timbuktu"
        lambda town, clause, side: clause and not side,
        lambda town, clause, side: not side,
    )
    for wanted in tiers:
        found = [(landmark, name) for name, *flags, landmark in hits if wanted(*flags)]
        if found:
            return min(found, key=lambda f: f[0])[1]  # the first that is not a landmark
    return None


def _destination(token: Token, trigger: Token) -> bool:
    """A place people left for, under another verb than the act's: "wounded in the
    fighting and evacuated to X" (the fighting was not in X)."""
    preposition = token.head
    while preposition.dep_ in ("compound", "appos", "conj") and preposition.head != preposition:
        preposition = preposition.head  # "to the town of X", "to X and Y"
    if preposition.dep_ == "pobj":
        preposition = preposition.head
    verb = preposition.head
    return (
        preposition.lower_ in ("to", "into", "across")
        and preposition.dep_ == "prep"
        and verb.i != trigger.i
        and verb.lemma_.lower() in DEPARTURE_VERBS
    )


def _landmark(token: Token) -> bool:
    """A place given as a reference point: under "near", "outside", "north of" ..."""
    node = token
    for _ in range(4):
        if node.lower_ in LANDMARK_WORDS and node.dep_ in ("prep", "advmod", "amod"):
            return True
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def _event_date(trigger: Token, sent: Span, anchor: date | None) -> TimeValue | None:
    """The date in the trigger's clause nearest to it, else the document date."""
    times = in_clause_of(sentence_times(sent, anchor), trigger)
    if times:
        return min(times, key=lambda t: abs(t[0].i - trigger.i))[1]
    if anchor is not None:
        return TimeValue("(document date)", anchor, anchor, "day")
    return None


def _historical(when: TimeValue | None, anchor: date | None) -> bool:
    """An event the report recalls rather than reports: it ended more than
    ``HISTORICAL_DAYS`` before the document date ("a 2006-2009 insurgency")."""
    if when is None or anchor is None or when.end is None:
        return False
    return (anchor - when.end).days > HISTORICAL_DAYS


def fatalities(text: str, near: int = 0) -> int | None:
    """Deaths reported in a sentence, at the lower bound ACLED uses ("at least 12" -> 12).

    With several tolls in one sentence, the one nearest to character ``near`` (the event's
    trigger) wins.
    """
    found: list[tuple[int, int]] = []
    for pattern in FATALITY_PATTERNS:
        for match in pattern.finditer(text):
            value = _number(match.group(1))
            if value is not None:
                found.append((min(abs(match.start() - near), abs(match.end() - near)), value))
    return min(found)[1] if found else None


def _number(word: str) -> int | None:
    word = word.lower().replace(",", "")
    if word.isdigit():
        return None if ORDINAL_OR_YEAR.match(word) else int(word)
    if "-" in word:
        parts = [lexicon.NUMBER_WORDS.get(p) for p in word.split("-")]
        return sum(parts) if all(p is not None for p in parts) else None  # type: ignore[arg-type]
    return lexicon.NUMBER_WORDS.get(word) if word not in ("a", "an", "some", "both") else None


def _amount(sent: Span) -> str | None:
    for ent in sent.ents:
        if ent.label_ == "MONEY" or (
            ent.label_ == "QUANTITY" and any(t.lower_ in lexicon.CURRENCY_WORDS for t in ent)
        ):
            return original(ent)  # as written: the parse may have seen a recased headline
    return None
