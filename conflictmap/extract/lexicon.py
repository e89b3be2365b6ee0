"""Generic cue words used by the extraction rules.

Only common English vocabulary lives here: role nouns, verbs, hedges. No actor or place
names: those come from the statistical model, the gazetteer and the documents themselves.
"""

from __future__ import annotations

# Name-internal words that make an organisation an armed group ("... Liberation Front").
ARMED_NAME_WORDS = frozenset(
    {
        "movement", "front", "brigade", "brigades", "battalion", "militia", "militias",
        "rebels", "jihad", "liberation", "resistance", "mujahideen", "fighters", "guerrillas",
        "insurgency", "legion", "commando", "commandos", "army",
    }
)
# Nouns after a name that show it names an organisation ("X leader", "X's fighters").
ORG_HEAD_NOUNS = frozenset(
    {
        "leader", "leaders", "leadership", "member", "members", "spokesman", "spokesperson",
        "spokeswoman", "group", "chief", "chiefs", "founder", "cell", "faction", "ranks",
        "official", "officials", "statement", "website", "wing", "branch", "deputy",
    }
)
# Nouns after (or before) a name that show an armed organisation ("X fighters").
COMBATANT_NOUNS = frozenset(
    {
        "fighters", "militants", "rebels", "rebel", "gunmen", "jihadists", "jihadist",
        "insurgents", "militia", "militiamen", "commander", "commanders", "emir", "combatants",
        "guerrillas", "fighter", "militant", "insurgent", "bombers", "kidnappers", "katiba",
    }
)
ARMED_ADJECTIVES = frozenset(
    {
        "jihadist", "islamist", "rebel", "armed", "militant", "insurgent", "separatist",
        "terrorist", "extremist", "hardline", "radical", "splinter", "breakaway", "jihadi",
        "secessionist",
    }
)
# Verbs whose subject is (very likely) an armed actor.
VIOLENT_VERBS = frozenset(
    {
        "attack", "kill", "seize", "capture", "occupy", "kidnap", "abduct", "ambush", "bomb",
        "behead", "overrun", "execute", "raid", "shell", "storm", "massacre", "besiege",
        "loot", "torch", "whip", "amputate", "recruit", "chase", "rout", "kill",
    }
)
STATE_FORCE_NOUNS = {
    "army": "armed forces",
    "armed forces": "armed forces",
    "forces": "armed forces",
    "troops": "armed forces",
    "soldiers": "armed forces",
    "soldier": "armed forces",
    "military": "armed forces",
    "special forces": "armed forces",
    "security forces": "armed forces",
    "air force": "armed forces",
    "warplanes": "armed forces",
    "jets": "armed forces",
    "helicopters": "armed forces",
    "police": "police",
    "policemen": "police",
    "gendarmes": "police",
    "gendarmerie": "police",
}
PERSON_TITLES = frozenset(
    {
        "mr", "mrs", "ms", "dr", "president", "general", "gen", "colonel", "col", "captain",
        "capt", "major", "lieutenant", "lt", "sergeant", "minister", "sheikh", "imam",
        "commander", "prime", "king", "emir", "chief", "senator", "governor", "mayor",
        "brigadier", "marshal", "admiral", "abbot", "bishop", "spokesman",
    }
)
CONNECTORS = frozenset({"of", "in", "the", "for", "and", "de", "du", "des", "la", "le", "&", "al"})
LOCATIVE_PREPOSITIONS = frozenset(
    {"in", "at", "near", "outside", "into", "around", "across", "towards", "toward", "inside"}
)

# Role nouns: holder -> organisation/person relations.
ROLE_NOUNS = {
    "leader": "leader_of", "leaders": "leader_of", "chief": "leader_of", "head": "leader_of",
    "commander": "leader_of", "commanders": "leader_of", "emir": "leader_of",
    "founder": "leader_of", "boss": "leader_of", "chairman": "leader_of",
    "deputy": "deputy_of", "lieutenant": "deputy_of", "second-in-command": "deputy_of",
    "number two": "deputy_of",
    "member": "member_of", "members": "member_of", "spokesman": "member_of",
    "spokesperson": "member_of", "fighter": "member_of", "militant": "member_of",
    "son": "family_of", "daughter": "family_of", "brother": "family_of",
    "sister": "family_of", "father": "family_of", "mother": "family_of",
    "wife": "family_of", "husband": "family_of", "cousin": "family_of",
    "nephew": "family_of", "uncle": "family_of", "brother-in-law": "family_of",
    "son-in-law": "family_of", "father-in-law": "family_of",
}
# Verbs with (subject, object) -> predicate.
RELATION_VERBS = {
    "lead": "leader_of", "head": "leader_of", "command": "leader_of", "found": "leader_of",
    "support": "supports", "back": "supports", "arm": "supports", "finance": "supports",
    "fund": "supports", "help": "supports", "assist": "supports", "reinforce": "supports",
    "fight": "fights", "battle": "fights", "clash": "fights", "attack": "fights",
    "ambush": "fights", "chase": "fights", "oust": "fights", "expel": "fights",
    "rout": "fights", "combat": "fights", "confront": "fights", "drive": "fights",
    "join": "member_of",
    "occupy": "controls", "control": "controls", "hold": "controls", "seize": "controls",
    "capture": "controls", "overrun": "controls", "take": "controls", "retake": "controls",
    "recapture": "controls", "rule": "controls", "run": "controls", "govern": "controls",
    "enter": "controls",
}
CONTROL_NOUN_TRIGGERS = frozenset({"control", "takeover", "capture", "occupation", "seizure"})
# Phrases tying an organisation to another: X <phrase> Y.
AFFILIATION_PHRASES = {
    "splinter_of": (
        "splinter group from", "splinter group of", "splinter of", "splinter faction of",
        "offshoot of", "breakaway faction of", "breakaway group from", "break-away faction of",
        "split from", "splintered from", "broke away from", "broken away from", "offshoot from",
        "dissident faction of", "splinter from",
    ),
    "affiliated_with": (
        "under the aegis of", "affiliated with", "affiliated to", "affiliate of",
        "allied with", "allied to", "ally of", "linked to", "linked with", "franchise of",
        "branch of", "wing of", "pledged allegiance to", "loyal to", "in alliance with",
        "tied to", "close to", "under the umbrella of", "under the command of",
    ),
    "supports": ("backed by", "supported by", "armed by", "financed by", "funded by"),
}

HEDGES = frozenset(
    {
        "reportedly", "allegedly", "apparently", "possibly", "probably", "purportedly",
        "supposedly", "may", "might", "could", "believed", "suspected", "unconfirmed",
        "rumoured", "rumored", "thought", "likely", "unverified", "presumably", "seemingly",
    }
)
NEGATION_WORDS = frozenset({"not", "n't", "never", "no", "neither", "nor", "without"})
DENIAL_VERBS = frozenset({"deny", "dismiss", "refute", "reject"})
HYPOTHETICAL_HEADS = frozenset(
    {
        "threaten", "plan", "vow", "intend", "want", "promise", "warn", "seek", "prepare",
        "aim", "hope", "pledge", "try", "attempt", "call", "urge", "demand", "fear",
    }
)
SPEECH_VERBS = frozenset(
    {
        "say", "tell", "report", "claim", "state", "confirm", "announce", "add", "explain",
        "insist", "warn", "declare", "allege", "write", "note", "indicate", "quote",
        "acknowledge", "admit", "affirm", "assert", "deny", "describe", "reveal",
    }
)
# Source nouns -> attribution kind.
SOURCE_KINDS = {
    "anonymous_security": (
        "security source", "security sources", "intelligence source", "intelligence sources",
        "security expert", "security experts", "military source", "military sources",
        "security official who", "diplomatic source", "diplomatic sources", "source close to",
        "sources close to", "regional security", "security services", "intelligence services",
        "asked not to be named", "on condition of anonymity", "requested anonymity",
        "declined to be named", "anonymous",
    ),
    "resident_or_witness": (
        "resident", "residents", "witness", "witnesses", "eyewitness", "eyewitnesses",
        "local", "locals", "inhabitant", "inhabitants", "villager", "villagers",
        "survivor", "survivors", "shopkeeper", "trader", "traders", "farmer", "relatives",
        "a local", "townspeople", "people in",
    ),
    "group_claim": (
        "the group", "the movement", "the rebels", "the militants", "the jihadists",
        "in a statement", "claimed responsibility", "the organisation", "the organization",
        "its spokesman", "the group's", "a spokesman for the group", "its leader",
        "on its website", "a statement", "in a video", "the insurgents", "group said",
    ),
    "journalist": (
        "reporter", "reporters", "correspondent", "correspondents", "journalist",
        "journalists", "photographer", "our reporter", "news agency",
    ),
    "official": (
        "official", "officials", "minister", "ministry", "government", "spokesman",
        "spokeswoman", "spokesperson", "army", "military", "police", "governor", "mayor",
        "president", "prime minister", "authorities", "presidency", "embassy", "commander",
        "general", "colonel", "united nations", "mission", "statement from", "prosecutor",
    ),
}
# Number words and vague quantities as ACLED codes them.
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "dozen": 12, "dozens": 12, "several": 3, "scores": 20, "hundreds": 100, "a dozen": 12,
    "a few": 3, "few": 3, "many": 10, "some": 3, "thousands": 1000, "a handful": 3,
    "a couple": 2, "couple": 2, "both": 2,
}

# Demonyms that English does not derive by a regular suffix (the gazetteer holds the rest).
IRREGULAR_DEMONYMS = {
    "french": "France", "british": "United Kingdom", "dutch": "Netherlands", "swiss": "Switzerland",
    "spanish": "Spain", "danish": "Denmark", "swedish": "Sweden", "finnish": "Finland",
    "polish": "Poland", "turkish": "Turkey", "irish": "Ireland", "greek": "Greece",
    "thai": "Thailand", "welsh": "United Kingdom", "scottish": "United Kingdom",
    "english": "United Kingdom", "american": "United States", "us": "United States",
    "u.s.": "United States", "malagasy": "Madagascar", "ivorian": "Ivory Coast",
    "burkinabe": "Burkina Faso", "nigerien": "Niger", "chadian": "Chad", "congolese": "Congo",
    "sudanese": "Sudan", "somali": "Somalia", "afghan": "Afghanistan", "iraqi": "Iraq",
    "yemeni": "Yemen", "saudi": "Saudi Arabia", "emirati": "United Arab Emirates",
    "filipino": "Philippines", "pakistani": "Pakistan", "bangladeshi": "Bangladesh",
    "israeli": "Israel", "kuwaiti": "Kuwait", "qatari": "Qatar", "omani": "Oman",
    "mauritanian": "Mauritania", "beninese": "Benin", "togolese": "Togo",
    "senegalese": "Senegal", "guinean": "Guinea", "malian": "Mali", "nigerian": "Nigeria",
    "libyan": "Libya", "algerian": "Algeria", "moroccan": "Morocco", "tunisian": "Tunisia",
    "egyptian": "Egypt", "ethiopian": "Ethiopia", "eritrean": "Eritrea", "kenyan": "Kenya",
    "ugandan": "Uganda", "rwandan": "Rwanda", "burundian": "Burundi", "cameroonian": "Cameroon",
    "syrian": "Syria", "russian": "Russia", "ukrainian": "Ukraine", "german": "Germany",
    "chinese": "China", "japanese": "Japan", "indian": "India", "iranian": "Iran",
}
