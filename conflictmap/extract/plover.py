"""PLOVER event coding of one sentence: category, mode, source, target and modality.

PLOVER (Political Language Ontology for Verifiable Event Records) codes an interaction
between a source and a target as one of 16 event types, verbal (AGREE, CONSULT, SUPPORT,
CONCEDE, DEMAND, DISAPPROVE, REJECT, THREATEN) or material (COOPERATE, AID, RETREAT,
INVESTIGATE, MOBILIZE, SANCTION, COERCE, ASSAULT, FIGHT, PROTEST), each with optional modes
("visit", "arrest", "heavy-weapons", ...).

The coder reads the dependency parse. The main event is looked for from the sentence root
down: a reporting frame ("X said", "..., officials said") is skipped for its complement; a
verb that takes an act as complement decides how that act is coded ("threatened to attack"
is THREATEN, "refused to withdraw" REJECT, "promised to help" AGREE); aspectual and light
verbs pass on to their complement or object ("continued to send arms", "held talks");
relative clauses, participles and appositions are never searched. Lexicon entries are
generic English lemmas, some conditioned on the object ("lifted a curfew" vs. "lifted a
blockade"). Acts under a future or intention ("will support", "would boycott") are coded
as PLOVER codes statements of intent: cooperative ones as AGREE, hostile ones as THREATEN.
A negated cooperative statement ("will not accept") is a REJECT.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Span, Token

from conflictmap.extract.entities import EntityTable, doc_text, original
from conflictmap.extract.syntax import tokens

Code = tuple[str, str | None]

AGREE, CONSULT, SUPPORT, CONCEDE = "AGREE", "CONSULT", "SUPPORT", "CONCEDE"
DEMAND, DISAPPROVE, REJECT, THREATEN = "DEMAND", "DISAPPROVE", "REJECT", "THREATEN"
COOPERATE, AID, RETREAT, INVESTIGATE = "COOPERATE", "AID", "RETREAT", "INVESTIGATE"
MOBILIZE, SANCTION, COERCE = "MOBILIZE", "SANCTION", "COERCE"
ASSAULT, FIGHT, PROTEST = "ASSAULT", "FIGHT", "PROTEST"

COOPERATIVE = frozenset({AGREE, CONSULT, SUPPORT, COOPERATE, AID, CONCEDE, RETREAT})
HOSTILE = frozenset({FIGHT, ASSAULT, COERCE, SANCTION, PROTEST, MOBILIZE, THREATEN})
# mode of a threat, from the category (and mode) of the threatened act
THREAT_MODES: dict[Code, str] = {
    (COERCE, "curfew"): "curfew",
    (COERCE, "restrict"): "restrict",
    (COERCE, "martial-law"): "restrict",
    (PROTEST, "obstruct"): "restrict",
    (PROTEST, "boycott"): "restrict",
}
THREAT_CATEGORY_MODES = {FIGHT: "violence", ASSAULT: "violence", SANCTION: "relations"}


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


def _entries(category: str, mode: str | None, words: str) -> dict[str, Code]:
    return dict.fromkeys(words.split(), (category, mode))


# Lemmas (verbs and common nouns) that name an act on their own.
WORDS: dict[str, Code] = {
    **_entries(AGREE, None, "agree agreement accord pact deal treaty accept consent concur"),
    **_entries(AGREE, None, "settlement compromise approve propose proposal invite invitation"),
    **_entries(CONSULT, None, "meet meeting talk negotiate negotiation discuss discussion"),
    **_entries(CONSULT, None, "consult consultation confer summit conference dialogue"),
    **_entries(CONSULT, None, "mediate mediation"),
    **_entries(CONSULT, "visit", "visit trip tour arrive travel"),
    **_entries(CONSULT, None, "convene"),
    **_entries(CONSULT, "host", "host"),
    **_entries(CONSULT, "phone", "phone telephone"),
    **_entries(SUPPORT, None, "praise welcome endorse endorsement back commend hail applaud"),
    **_entries(SUPPORT, None, "congratulate thank defend apologize apologise apology forgive"),
    **_entries(SUPPORT, None, "recognize recognise sign ratify support laud salute"),
    **_entries(SUPPORT, None, "congratulation condolence tribute honor honour"),
    **_entries(COOPERATE, None, "cooperate co-operate cooperation collaborate collaboration"),
    **_entries(COOPERATE, None, "coordinate partner extradite extradition"),
    **_entries(AID, None, "aid assistance donate donation relief airlift rescue shelter"),
    **_entries(AID, None, "assist fund finance loan escort protect"),
    **_entries(AID, "asylum", "asylum"),
    **_entries(CONCEDE, None, "concede concession yield accede relent repeal amnesty pardon"),
    **_entries(CONCEDE, None, "comply legalize legalise reinstate"),
    **_entries(RETREAT, "withdraw", "withdraw withdrawal retreat pullout evacuate evacuation"),
    **_entries(RETREAT, "disarm", "surrender disarm demobilize demobilise capitulate disband"),
    **_entries(RETREAT, None, "resign resignation"),
    **_entries(RETREAT, "ceasefire", "ceasefire cease-fire truce armistice"),
    **_entries(INVESTIGATE, None, "investigate investigation probe inquiry inquire inspect"),
    **_entries(INVESTIGATE, None, "inspection examine interrogate audit"),
    **_entries(DEMAND, None, "demand urge insist request appeal pressure lobby plead implore"),
    **_entries(DEMAND, None, "instruct"),
    **_entries(DISAPPROVE, None, "criticize criticise criticism condemn condemnation"),
    **_entries(DISAPPROVE, None, "denounce accuse accusation blame complain complaint deplore"),
    **_entries(DISAPPROVE, None, "decry censure rebuke sue lawsuit allege allegation summon"),
    **_entries(DISAPPROVE, None, "slam lambaste chide castigate fault regret charge convict"),
    **_entries(DISAPPROVE, None, "disapprove reprimand admonish"),
    **_entries(REJECT, None, "reject rejection refuse refusal decline deny dismiss rebuff"),
    **_entries(REJECT, None, "spurn veto oppose renege defy resist ignore snub disregard"),
    **_entries(REJECT, None, "repudiate balk"),
    **_entries(THREATEN, None, "threaten threat ultimatum menace"),
    **_entries(PROTEST, "demo-spon", "protest demonstrate demonstration rally march sit-in"),
    **_entries(PROTEST, "demo-spon", "picket"),
    **_entries(PROTEST, None, "petition chant"),
    **_entries(PROTEST, "riot-spon", "riot"),
    **_entries(PROTEST, "boycott", "boycott walkout"),
    **_entries(PROTEST, "obstruct", "blockade"),
    **_entries(MOBILIZE, "troops", "mobilize mobilise mobilization deploy deployment alert"),
    **_entries(MOBILIZE, "troops", "reinforce reinforcement recruit conscript parade"),
    **_entries(SANCTION, None, "sanction embargo sever suspension expulsion blacklist"),
    **_entries(COERCE, "arrest", "arrest indict prosecute"),
    **_entries(COERCE, "restrict", "restrict restriction disperse"),
    **_entries(COERCE, "detain", "detain detention jail imprison sentence"),
    **_entries(COERCE, "deport", "deport deportation evict eviction"),
    **_entries(COERCE, "ban", "ban outlaw"),
    **_entries(COERCE, "curfew", "curfew"),
    **_entries(COERCE, "censor", "censor censorship"),
    **_entries(COERCE, "confiscate", "confiscate expropriate annex annexation occupation"),
    **_entries(COERCE, "destroy", "demolish raze torch deface vandalize vandalise"),
    **_entries(COERCE, "restrict", "besiege siege crackdown"),
    **_entries(ASSAULT, "abduct", "kidnap abduct hijack abduction kidnapping"),
    **_entries(ASSAULT, "beat", "beat"),
    **_entries(ASSAULT, "torture", "torture"),
    **_entries(ASSAULT, "sexual", "rape"),
    **_entries(ASSAULT, "assassinate", "assassinate assassination"),
    **_entries(ASSAULT, None, "massacre execute behead lynch murder slaughter mutilate maim"),
    **_entries(FIGHT, None, "fight fighting clash battle skirmish combat war offensive invade"),
    **_entries(FIGHT, None, "hostility hostilities"),
    **_entries(FIGHT, None, "invasion repel repulse counterattack counteroffensive overrun"),
    **_entries(FIGHT, None, "retaliate retaliation reprisal revenge storm recapture retake"),
    **_entries(FIGHT, "other", "cleansing"),
    **_entries(FIGHT, "heavy-weapons", "shell shelling bombard bombardment airstrike"),
    **_entries(FIGHT, "firearms", "gunbattle gunfight firefight shootout"),
}
# Violent acts whose PLOVER type depends on weapon and attacker: conventional military
# force is FIGHT, unconventional violence (bombs, blades, killing civilians) is ASSAULT.
VIOLENT = _set(
    "attack kill wound injure shoot bomb bombing strike hit raid ambush assault stab slay "
    "detonate explode gun target pound hammer"
)
CONVENTIONAL = frozenset({"fight", "clash", "battle", "skirmish", "combat", "war", "offensive"})
# Mode words of violence, looked for in the act's clause.
HEAVY_WEAPONS = _set(
    "artillery shell shelling mortar rocket missile tank aircraft warplane jet helicopter "
    "gunship airstrike bombardment drone navy warship cannon bomber"
)
FIREARMS = _set("gun gunfire gunbattle gunfight firefight shootout rifle sniper bullet machine-gun")
EXPLOSIVES = _set("bomb bombing explosive explosion grenade landmine mine blast ied")
PRIMITIVE = _set("machete knife axe stick stone club spear sword")
MILITARY = _set(
    "army troop soldier force military navy marine aircraft warplane jet helicopter "
    "gunship artillery tank warship battalion brigade"
)
MILITARY_TARGETS = MILITARY | _set(
    "patrol checkpoint garrison outpost barracks base position installation station"
)
CROWDS = _set(
    "protester demonstrator rioter crowd mob youth student supporter activist worker "
    "striker marcher"
)
PROTESTERS = _set("protester demonstrator marcher striker rioter picketer")
WORKERS = _set("worker union teacher doctor nurse miner driver employee staff labourer laborer")
CIVILIANS = _set(
    "civilian protester demonstrator villager resident worshipper student child woman "
    "refugee passenger people prisoner detainee family worker farmer crowd"
)
TITLES = _set(
    "president minister leader chief commander governor mayor official head deputy "
    "general judge senator lawmaker prime king prince"
)

# Verbs coded by what they act on: lemma -> ((object lemmas, code), ...). The first rule
# whose words meet the object's lemmas wins; no match falls back to WORDS, if listed.
DIPLOMATS = "ambassador envoy diplomat consul embassy attache delegation"
MONITORS = "inspector observer monitor peacekeeper peacekeeping investigator mission worker agency"
AID_GOODS = (
    "aid assistance food medicine medication supply relief grant loan money fund arm weapon "
    "equipment good shipment tent blanket water vaccine fuel grain flour credit"
)
FORCES = "troop soldier force army unit battalion brigade warship ship jet aircraft police"
FORCES += " reinforcement marine reservist fighter militia recruit commando hacker"
RESTRICTIONS = "ban restriction measure rule censorship control sanction"
EMERGENCY = "emergency martial siege"
CAPTIVES = "hostage prisoner detainee captive shield"
PEOPLE = (
    CAPTIVES + " person people man woman child civilian national suspect journalist "
    "activist worker refugee migrant immigrant citizen member"
)
RELATIONS = (
    "tie relation link contact talk negotiation cooperation mediation dialogue aid assistance "
    "program programme flight trade effort process support budget"
)
PLACES = "border bridge crossing airspace corridor port airport road route access passage"
VENUES = "talk meeting negotiation consultation summit discussion conference"
DEESCALATE = "offensive operation attack bombing airstrike fighting hostility raid shelling"
DEMO = (PROTEST, "demo-spon")
ORGANIZING = frozenset({"stage", "organize", "organise", "hold", "call", "lead"})


def _rules(*pairs: tuple[str, Code]) -> tuple[tuple[frozenset[str], Code], ...]:
    return tuple((frozenset(words.split()), code) for words, code in pairs)


OBJECT_RULES: dict[str, tuple[tuple[frozenset[str], Code], ...]] = {
    "lift": _rules(
        ("blockade siege embargo " + "economic", (RETREAT, "ease")),
        (RESTRICTIONS + " curfew " + EMERGENCY, (CONCEDE, None)),
    ),
    "ease": _rules(
        ("blockade siege embargo", (RETREAT, "ease")),
        (RESTRICTIONS + " curfew tension " + EMERGENCY, (CONCEDE, None)),
    ),
    "relax": _rules((RESTRICTIONS + " curfew " + EMERGENCY, (CONCEDE, None))),
    "cancel": _rules(
        (RESTRICTIONS + " curfew " + EMERGENCY, (CONCEDE, None)),
        ("strike protest rally", (CONCEDE, None)),
        (VENUES + " visit trip", (SANCTION, None)),
    ),
    "abolish": _rules((RESTRICTIONS + " curfew " + EMERGENCY, (CONCEDE, None))),
    "withdraw": _rules(
        (DIPLOMATS + " " + MONITORS + " aid support recognition", (SANCTION, None)),
        (VENUES + " agreement accord treaty process", (SANCTION, None)),
    ),
    "expel": _rules((DIPLOMATS + " " + MONITORS, (SANCTION, None)), (PEOPLE, (COERCE, "deport"))),
    "recall": _rules((DIPLOMATS, (SANCTION, None))),
    "impose": _rules(
        ("sanction embargo", (SANCTION, None)),
        ("curfew", (COERCE, "curfew")),
        (EMERGENCY + " law", (COERCE, "martial-law")),
        ("ban", (COERCE, "ban")),
        ("restriction blockade control censorship", (COERCE, "restrict")),
    ),
    "declare": _rules(
        ("alert", (MOBILIZE, "troops")),
        ("curfew", (COERCE, "curfew")),
        (EMERGENCY + " law", (COERCE, "martial-law")),
        ("ceasefire cease-fire truce", (RETREAT, "ceasefire")),
        ("war", (THREATEN, "violence")),
        ("support", (SUPPORT, None)),
    ),
    "suspend": _rules(
        (RELATIONS, (SANCTION, None)),
        (DEESCALATE, (RETREAT, "ceasefire")),
        ("strike protest", (CONCEDE, None)),
        ("constitution parliament newspaper", (COERCE, "restrict")),
    ),
    "halt": _rules(
        (RELATIONS, (SANCTION, None)),
        ("strike protest", (CONCEDE, None)),
        (DEESCALATE, (RETREAT, "ceasefire")),
    ),
    "stop": _rules(
        ("work", (PROTEST, "strike-gen")),
        (RELATIONS, (SANCTION, None)),
        (DEESCALATE, (RETREAT, "ceasefire")),
        ("strike protest", (CONCEDE, None)),
    ),
    "end": _rules(
        (RELATIONS, (SANCTION, None)),
        (DEESCALATE, (RETREAT, "ceasefire")),
        ("strike protest boycott", (CONCEDE, None)),
        (RESTRICTIONS + " curfew blockade " + EMERGENCY, (CONCEDE, None)),
    ),
    "cut": _rules((RELATIONS, (SANCTION, None))),
    "break": _rules(
        (RELATIONS, (SANCTION, None)),
        ("ceasefire cease-fire truce", (FIGHT, None)),
    ),
    "freeze": _rules((RELATIONS + " asset account", (SANCTION, None))),
    "downgrade": _rules((RELATIONS, (SANCTION, None))),
    "upgrade": _rules((RELATIONS, (SUPPORT, None))),
    "restore": _rules((RELATIONS, (SUPPORT, None))),
    "establish": _rules((RELATIONS, (SUPPORT, None))),
    "normalize": _rules((RELATIONS, (SUPPORT, None))),
    "violate": _rules(
        ("ceasefire cease-fire truce", (FIGHT, "other")),
        ("law norm resolution rule constitution order embargo sanction", (REJECT, None)),
        ("agreement accord", (FIGHT, "other")),
    ),
    "find": _rules(("guilty", (DISAPPROVE, None))),
    "use": _rules(
        ("shield", (COERCE, "detain")),
        ("chemical biological nuclear gas", (FIGHT, "other")),
    ),
    "send": _rules(
        ("inspector investigator", (INVESTIGATE, None)),
        (FORCES, (MOBILIZE, "troops")),
        (AID_GOODS, (AID, None)),
        ("envoy delegation mission minister", (CONSULT, None)),
    ),
    "dispatch": _rules(
        ("inspector investigator", (INVESTIGATE, None)),
        (FORCES, (MOBILIZE, "troops")),
        (AID_GOODS, (AID, None)),
        ("envoy delegation mission minister", (CONSULT, None)),
    ),
    "provide": _rules(
        ("information intelligence evidence data", (COOPERATE, None)),
        (AID_GOODS + " security protection shelter asylum", (AID, None)),
    ),
    "give": _rules((AID_GOODS + " asylum shelter", (AID, None))),
    "distribute": _rules((AID_GOODS, (AID, None))),
    "ship": _rules((AID_GOODS, (AID, None))),
    "contribute": _rules((FORCES, (AID, "peacekeeping")), (AID_GOODS, (AID, None))),
    "arm": _rules(
        ("", (AID, None)),
    ),
    "help": _rules((PEOPLE + " refugee victim family", (AID, None))),
    "move": _rules((FORCES, (MOBILIZE, "troops"))),
    "station": _rules((FORCES, (MOBILIZE, "troops"))),
    "tighten": _rules(
        ("security", (MOBILIZE, "police")), (RESTRICTIONS + " grip", (COERCE, "restrict"))
    ),
    "heighten": _rules(("security alert", (MOBILIZE, "police"))),
    "form": _rules(("alliance coalition partnership front", (COOPERATE, None))),
    "join": _rules(("force hand", (COOPERATE, None))),
    "reaffirm": _rules(("support commitment solidarity", (SUPPORT, None))),
    "meet": _rules(("demand condition", (CONCEDE, None))),
    "breach": _rules(("ceasefire cease-fire truce agreement", (FIGHT, "other"))),
    "step": _rules((FORCES + " security patrol presence", (MOBILIZE, "troops"))),
    "deliver": _rules((AID_GOODS, (AID, None))),
    "supply": _rules((AID_GOODS, (AID, None))),
    "grant": _rules(
        ("asylum refuge", (AID, "asylum")),
        ("amnesty pardon right autonomy concession", (CONCEDE, None)),
        (AID_GOODS, (AID, None)),
        ("recognition", (SUPPORT, None)),
    ),
    "hand": _rules(
        ("suspect fugitive", (COOPERATE, None)),
        (AID_GOODS, (AID, None)),
        (PEOPLE, (RETREAT, "release")),
        ("control power territory", (CONCEDE, None)),
    ),
    "share": _rules(
        ("information intelligence evidence expertise data technology", (COOPERATE, None))
    ),
    "exchange": _rules(
        ("information intelligence", (COOPERATE, None)),
        ("fire gunfire shot", (FIGHT, "firearms")),
        (CAPTIVES, (RETREAT, "release")),
    ),
    "evacuate": _rules(
        ("wounded wound injured injure sick civilian refugee people resident child", (AID, None)),
    ),
    "receive": _rules(
        (MONITORS, (RETREAT, "access")),
        (DIPLOMATS + " minister president leader visitor", (CONSULT, "host")),
    ),
    "allow": _rules(
        (MONITORS + " access delivery aid convoy", (RETREAT, "access")),
        ("party opposition rally protest demonstration election", (CONCEDE, None)),
    ),
    "permit": _rules(
        (MONITORS + " access delivery aid convoy", (RETREAT, "access")),
        ("party opposition rally protest demonstration election", (CONCEDE, None)),
    ),
    "open": _rules(
        ("investigation inquiry probe", (INVESTIGATE, None)),
        (VENUES, (CONSULT, None)),
        ("fire", (FIGHT, "firearms")),
        (PLACES, (RETREAT, "access")),
        ("embassy", (SUPPORT, None)),
    ),
    "shut": _rules(
        ("embassy", (SANCTION, None)),
        ("newspaper paper station website", (COERCE, "censor")),
        (PLACES, (COERCE, "restrict")),
    ),
    "close": _rules(
        ("embassy", (SANCTION, None)),
        ("newspaper paper station website", (COERCE, "censor")),
        (PLACES, (COERCE, "restrict")),
    ),
    "seize": _rules(
        ("hostage", (ASSAULT, "abduct")),
        ("weapon arm explosive property asset ship vessel good drug", (COERCE, "confiscate")),
        ("town city village territory base stronghold control area position", (FIGHT, None)),
    ),
    "capture": _rules(
        ("town city village territory base stronghold area position", (FIGHT, None)),
    ),
    "take": _rules(
        ("control town city village territory stronghold", (FIGHT, None)),
        ("street", (PROTEST, "demo-spon")),
        ("hostage", (ASSAULT, "abduct")),
    ),
    "occupy": _rules(
        ("", (COERCE, "confiscate")),
    ),
    "hold": _rules(
        (VENUES, (CONSULT, None)),
        ("rally protest demonstration march strike", (PROTEST, "demo-org")),
        (CAPTIVES + " people civilian refugee", (COERCE, "detain")),
    ),
    "block": _rules(
        (PLACES + " roadway street highway traffic transport entrance", (PROTEST, "obstruct")),
    ),
    "set": _rules(("fire", (COERCE, "destroy"))),
    "burn": _rules(
        ("", (COERCE, "destroy")),
    ),
    "destroy": _rules(
        ("", (COERCE, "destroy")),
    ),
    "prevent": _rules(("demonstration protest rally march meeting", (COERCE, "restrict"))),
    "shun": _rules(("work", (PROTEST, "strike-gen"))),
    "raise": _rules(("alert", (MOBILIZE, "troops"))),
    "put": _rules(("alert", (MOBILIZE, "troops"))),
    "strengthen": _rules((FORCES + " presence security alert readiness", (MOBILIZE, "troops"))),
    "boost": _rules((FORCES + " presence security alert readiness", (MOBILIZE, "troops"))),
    "increase": _rules((FORCES + " presence security alert readiness", (MOBILIZE, "troops"))),
    "bolster": _rules((FORCES + " presence security alert readiness", (MOBILIZE, "troops"))),
    "mass": _rules((FORCES, (MOBILIZE, "troops"))),
    "train": _rules((FORCES, (MOBILIZE, "troops"))),
    "commit": _rules((FORCES, (MOBILIZE, "troops"))),
    "deploy": _rules(("peacekeeper peacekeeping", (AID, None))),
    "charge": _rules(
        ("", (DISAPPROVE, None)),
    ),
    "prohibit": _rules((AID_GOODS + " entry", (SANCTION, None)), ("", (COERCE, "ban"))),
    "approve": _rules(("law bill measure reform", (CONCEDE, None))),
    "release": _rules((PEOPLE, (RETREAT, "release")), ("property land", (RETREAT, "return"))),
    "free": _rules((PEOPLE, (RETREAT, "release"))),
    "mobilize": _rules(("support opinion", (SUPPORT, None))),
    "mobilise": _rules(("support opinion", (SUPPORT, None))),
    "ban": _rules(("import export trade product good flight airline", (SANCTION, None))),
    "terminate": _rules((RELATIONS + " agreement accord", (SANCTION, None))),
    "test": _rules(("missile weapon rocket bomb device", (MOBILIZE, "weapons"))),
    "fire": _rules(
        ("rocket missile shell mortar artillery shot round bullet", (FIGHT, None)),
    ),
    "reverse": _rules(("decision policy ban " + RESTRICTIONS, (CONCEDE, None))),
    "drop": _rules(
        ("charge demand objection opposition condition " + RESTRICTIONS, (CONCEDE, None))
    ),
    "scrap": _rules((RESTRICTIONS + " curfew " + EMERGENCY, (CONCEDE, None))),
    "revoke": _rules(
        (RESTRICTIONS + " curfew " + EMERGENCY, (CONCEDE, None)),
        ("visa accreditation license licence citizenship permit", (COERCE, "restrict")),
    ),
    "restrict": _rules(("import export trade travel", (SANCTION, None))),
    "rescind": _rules((RESTRICTIONS + " curfew " + EMERGENCY, (CONCEDE, None))),
    "abandon": _rules(("position base town city village post stronghold", (RETREAT, "withdraw"))),
    "quit": _rules(("post job office government coalition cabinet", (RETREAT, None))),
    "express": _rules(
        ("support solidarity sympathy gratitude appreciation regret", (SUPPORT, None)),
        ("concern dismay outrage anger disappointment alarm", (DISAPPROVE, None)),
    ),
    "voice": _rules(
        ("support solidarity", (SUPPORT, None)),
        ("concern dismay outrage anger disappointment alarm", (DISAPPROVE, None)),
    ),
    "collect": _rules(("signature", (PROTEST, "demo-org"))),
    "gather": _rules(("signature", (PROTEST, "demo-org"))),
    "return": _rules((PEOPLE + " property land territory", (RETREAT, "return"))),
}
# Verbs whose act is their object or complement ("held talks", "began a hunger strike").
LIGHT = _set(
    "hold stage launch conduct carry make take issue lodge file mount begin start announce "
    "open complete continue resume go join reach undertake organize organise call step "
    "intensify escalate engage express voice extend place put attend participate reaffirm pay"
)
# Verbs passed through to their complement clause ("continued to send", "tried to kill").
ASPECTUAL = _set(
    "begin start continue resume keep try attempt manage seem appear decide move go come "
    "need help complete finish vote choose be remain"
)
# Heads that code their complement act as a statement about it.
INTENT = _set(
    "promise pledge vow swear offer plan intend prepare aim expect want hope seek ready "
    "prepared willing committed commit determined intention readiness willingness "
    "commitment desire"
)
PROMISES = frozenset({"promise", "pledge", "offer"})
VOWS = frozenset({"vow", "swear"})
DEMANDS = _set("demand urge insist ask appeal request press pressure order call push exhort")
REJECTIONS = _set("refuse decline reject deny dismiss rebuff spurn veto oppose")
# Speech and cognition verbs whose complement, not the speaking, is the event.
REPORTING = _set(
    "say tell report announce state add claim quote write note indicate reveal confirm "
    "explain believe think conclude acknowledge admit declare disclose stress insist "
    "reiterate maintain"
)
SIDE = frozenset({"relcl", "acl", "appos", "parataxis"})
# Passives that describe their subject's own act: "X was engaged in", "X is prepared to".
STATIVE_PASSIVES = _set("engage involve commit prepare determine")
# Verbs whose object is what moves, not who is affected: "sent inspectors to X".
THEME_VERBS = _set(
    "send dispatch deploy deliver provide ship supply donate hand move station transfer "
    "contribute distribute airlift give grant withdraw"
)
# Prepositions whose object is affected by the act ("sanctions on X", "talks with X").
TARGET_PREPS = _set("with against to on upon into from toward towards at between over for of by")
NOT_EVENT_PREPS = _set(
    "after before despite amid following since during until because under without like "
    "as than including"
)
FUTURE_AUX = frozenset({"will", "would", "shall", "'ll", "wo"})
MODAL_AUX = frozenset({"may", "might", "could", "can", "should", "must"})
# Head nouns of a noun phrase that names an actor ("the prime minister", "police").
ACTOR_NOUNS = _set(
    "government official minister president leader authority police army troop soldier "
    "force military rebel militant insurgent guerrilla fighter militia militiaman gunman "
    "protester demonstrator activist student worker union party opposition settler prisoner "
    "refugee civilian villager resident people citizen farmer doctor diplomat ambassador "
    "envoy negotiator delegation parliament court judge council ministry embassy agency "
    "group organization organisation movement coalition faction side country nation state "
    "regime administration cabinet legislature lawmaker senator mayor governor commander "
    "general officer chief spokesman spokeswoman hacker inspector observer peacekeeper "
    "monitor team member elder businessman candidate journalist reporter newspaper tribe "
    "community population man woman child family victim hostage detainee suspect national "
    "immigrant migrant teacher employee crowd mob youth warship aircraft jet plane "
    "helicopter warplane dissident supporter opponent partner ally neighbor neighbour "
    "bishop cleric imam priest monk official department commission association corporation "
    "foundation institution federation confederation mission leadership management"
)
ACTOR_LABELS = frozenset({"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC"})
NOT_ACTOR_LABELS = frozenset(
    {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "LAW"}
)
QUANTITIES = _set("thousand hundred dozen million score group number handful some")
# Nouns for acts and things, never actors: "sanctions on X", "a plan for X".
ABSTRACT = (
    "plan proposal offer information power decision policy law resolution measure effort "
    "right demand call statement report charge formula condition idea initiative program "
    "programme process framework mandate role situation issue matter question case "
    "responsibility support action step move part number kind way corruption crime abuse "
    "violation fraud killing death allegation accusation bribery embezzlement violence "
    "unrest situation security crisis evidence information intelligence expertise data "
    "explosive ammunition fire gunfire"
)
THINGS = frozenset(WORDS) | _set(
    " ".join((AID_GOODS, RELATIONS, RESTRICTIONS, VENUES, EMERGENCY, ABSTRACT))
)
PRONOUNS = frozenset({"it", "they", "he", "she", "we", "i", "its", "their"})


@dataclass(frozen=True)
class PloverEvent:
    """One PLOVER-coded event of a sentence.

    ``source`` and ``target`` hold entity canonical names from the ``EntityTable``, or the
    noun phrase as written where no entity is named ("the prime minister", "police").
    ``negated``: the act is said not to have happened ("did not attack"); a cooperative
    act refused or not done is coded REJECT instead ("will not accept"). The trigger and
    evidence (the sentence) are given as character offsets into the document text.
    """

    category: str
    mode: str | None
    trigger: str
    trigger_start: int
    trigger_end: int
    source: tuple[str, ...]
    target: tuple[str, ...]
    negated: bool
    hypothetical_or_future: bool
    evidence_start: int
    evidence_end: int


@dataclass(frozen=True)
class _Coding:
    category: str
    mode: str | None
    trigger: Token
    path: tuple[Token, ...]  # from the clause whose subject is the source, down to the act
    hypothetical: bool = False
    negated: bool = False


# --- public API -------------------------------------------------------------------------


def code_sentence(sent: Span, table: EntityTable) -> list[PloverEvent]:
    """PLOVER events of one sentence, the main event first, then those of clauses joined
    to the main clause ("X rejected the plan and said it opposed Y")."""
    codings: list[_Coding] = []
    for head, reporter in _main_clauses(sent):
        coding = _reported_stance(head, reporter) if reporter is not None else None
        coding = coding or _search(head)
        if coding is not None and all(c.trigger.i != coding.trigger.i for c in codings):
            codings.append(coding)
    if not codings:
        coding = _fallback(sent)
        codings = [coding] if coding is not None else []
    return [_event(c, sent, table) for c in codings]


def code_document(table: EntityTable) -> list[PloverEvent]:
    """PLOVER events of every sentence of the table's document, in text order."""
    return [event for sent in table.doc.sents for event in code_sentence(sent, table)]


# --- the main clause --------------------------------------------------------------------


def _main_clauses(sent: Span) -> Iterator[tuple[Token, Token | None]]:
    """The root, past reporting frames, and the verbs conjoined to it; with the reporting
    verb each was reported by, if any."""
    root = sent.root
    if root.pos_ in ("NOUN", "PROPN"):  # a misparse: "A newspaper called on X to ..."
        root = next((c for c in root.children if c.dep_ == "acl" and c.i > root.i), root)
    root, reporter = _past_reporting(root)
    yield root, reporter
    for conj in root.children:
        if conj.dep_ == "conj" and conj.pos_ in ("VERB", "AUX"):
            head, conj_reporter = _past_reporting(conj)
            yield head, conj_reporter or reporter


def _past_reporting(verb: Token) -> tuple[Token, Token | None]:
    reporter: Token | None = None
    for _ in range(3):
        complement = _clause(verb) if _lemma(verb) in REPORTING else None
        if complement is None:  # not reporting, or "announced a suspension": the act itself
            break
        reporter, verb = verb, complement
    return verb, reporter


def _clause(verb: Token) -> Token | None:
    """The reported clause of a speech verb: "said (that) X", "quoted as saying X"."""
    for child in verb.children:
        if child.dep_ in ("ccomp", "parataxis") and child.pos_ in ("VERB", "AUX"):
            return child
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ == "as":
            for pcomp in child.children:
                if pcomp.dep_ == "pcomp":
                    return _clause(pcomp) or pcomp
    return None


def _search(head: Token) -> _Coding | None:
    """The first act found from a clause head down, breadth first, in side clauses never."""
    queue = [(head, 0)]
    while queue:
        token, depth = queue.pop(0)
        coding = _code(token)
        if coding is not None:
            return coding
        if depth < 3:
            queue += [(c, depth + 1) for c in _searchable_children(token)]
    return None


def _searchable_children(token: Token) -> list[Token]:
    first = ("xcomp", "ccomp", "dobj", "attr", "acomp", "oprd", "pcomp")
    later = ("prep", "pobj", "advcl", "dative")
    allowed = first + later
    if _lemma(token) in ASPECTUAL or token.pos_ == "AUX" or _passive(token):
        allowed += ("nsubj", "nsubjpass")
    children = [
        c
        for c in token.children
        if c.dep_ in allowed and not (c.dep_ == "prep" and c.lower_ in NOT_EVENT_PREPS)
    ]
    return sorted(children, key=lambda c: c.dep_ not in first)


def _fallback(sent: Span) -> _Coding | None:
    """No act under the root: the act nearest the root anywhere but in side clauses, else
    protesters doing anything ("protesters filled the square")."""
    found = [
        c for t in tokens(sent) if (c := _code(t)) is not None and not _in_side_clause(t, sent.root)
    ]
    coding = min(found, key=lambda c: _depth(c.trigger), default=None)
    if coding is None and _subject_lemmas(sent.root) & PROTESTERS:
        coding = _Coding(PROTEST, "demo-spon", sent.root, (sent.root,))
    return coding


def _reported_stance(head: Token, reporter: Token) -> _Coding | None:
    """ "X said Y must/should do Z" is a demand of X on Y; "X said doing Z is out of the
    question" a rejection of Z."""
    if any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in head.children):
        return _Coding(DEMAND, None, head, (reporter, head))
    for out in head.children:
        if out.dep_ == "prep" and out.lower_ == "out" and "question" in _lemmas(out.subtree):
            subjects = [c for c in head.children if c.dep_ in ("csubj", "nsubj")]
            return _Coding(REJECT, None, head, (reporter, head, *subjects))
    return None


# --- coding one token -------------------------------------------------------------------


def _code(token: Token) -> _Coding | None:
    """The act a verb, noun or adjective names, with its complement where it takes one."""
    if token.pos_ not in ("VERB", "NOUN", "ADJ", "AUX") or token.ent_type_ in ("DATE", "TIME"):
        return None
    if token.lower_ == "according":  # "according to X" attributes, it agrees to nothing
        return None
    coding = _code_plain(token)
    if coding is None:
        return None
    return _modality(coding, token)


def _code_plain(token: Token) -> _Coding | None:
    lemma = _lemma(token)
    for coder in (_phrasal, _statement, _passing, _by_object, _light):
        coding = coder(token, lemma)
        if coding is not None:
            return coding
    code = WORDS.get(lemma) or _violence_code(token, lemma)
    if code is None or token.pos_ == "ADJ":
        return None
    return _Coding(*_refine(code, token), token, (token,))


def _phrasal(token: Token, lemma: str) -> _Coding | None:
    """Verb + particle or preposition: "called off", "called for", "pulled out"."""
    parts = {c.lower_ for c in token.children if c.dep_ in ("prt", "prep")}
    code = next((PHRASAL[(lemma, p)] for p in parts if (lemma, p) in PHRASAL), None)
    if code is None or token.pos_ != "VERB":
        return None
    return _Coding(*_refine(code, token), token, (token,))


PHRASAL: dict[tuple[str, str], Code] = {
    ("call", "off"): (CONCEDE, None),
    ("call", "for"): (DEMAND, None),
    ("call", "on"): (DEMAND, None),
    ("call", "upon"): (DEMAND, None),
    ("press", "for"): (DEMAND, None),
    ("push", "for"): (DEMAND, None),
    ("pull", "out"): (RETREAT, "withdraw"),
    ("pull", "back"): (RETREAT, "withdraw"),
    ("step", "down"): (RETREAT, None),
    ("back", "down"): (CONCEDE, None),
    ("give", "in"): (CONCEDE, None),
    ("give", "up"): (CONCEDE, None),
    ("crack", "down"): (COERCE, "restrict"),
    ("lay", "down"): (RETREAT, "disarm"),
    ("break", "off"): (SANCTION, None),
    ("work", "with"): (COOPERATE, None),
    ("side", "with"): (SUPPORT, None),
    ("break", "with"): (SANCTION, None),
    ("object", "to"): (DISAPPROVE, None),
    ("walk", "out"): (PROTEST, "boycott"),
    ("turn", "down"): (REJECT, None),
    ("rule", "out"): (REJECT, None),
    ("team", "up"): (COOPERATE, None),
    ("stand", "by"): (SUPPORT, None),
    ("speak", "with"): (CONSULT, None),
    ("hit", "out"): (DISAPPROVE, None),
    ("lash", "out"): (DISAPPROVE, None),
    ("round", "up"): (COERCE, "arrest"),
    ("call", "up"): (MOBILIZE, "troops"),
    ("beef", "up"): (MOBILIZE, "troops"),
    ("look", "into"): (INVESTIGATE, None),
    ("fire", "on"): (FIGHT, "firearms"),
    ("fire", "at"): (FIGHT, "firearms"),
    ("blow", "up"): (ASSAULT, "explosives"),
    ("hand", "back"): (RETREAT, "return"),
}


def _statement(token: Token, lemma: str) -> _Coding | None:
    """Heads that code an act in their complement: threats, refusals, demands, promises."""
    is_head = lemma in INTENT or lemma in REJECTIONS or lemma in DEMANDS
    if lemma == "tell" and any(c.dep_ == "xcomp" for c in token.children):
        return _Coding(DEMAND, None, token, (token,))  # "told X to leave"
    if not is_head and lemma not in ("threaten", "threat", "warn", "agree", "fail", "claim"):
        return None
    inner = _complement_coding(token)
    if lemma in ("threaten", "threat", "warn"):
        return _threat(token, lemma, inner)
    if lemma == "claim":
        return _claimed(token, inner)
    path_inner = _inner_path(token, inner)
    if lemma in REJECTIONS:
        return _Coding(REJECT, None, token, (token, *path_inner))
    if lemma == "fail":
        return _failed(token, inner)
    if lemma in DEMANDS:
        return _demand(token, inner)
    if lemma == "agree":
        return _Coding(AGREE, None, token, (token, *path_inner))
    return _intent(token, lemma, inner)


def _inner_path(token: Token, inner: _Coding | None) -> tuple[Token, ...]:
    """The complement's path, or its clause when it names no act (for its arguments)."""
    if inner is not None:
        return inner.path
    return tuple(c for c in token.children if c.dep_ in ("xcomp", "ccomp"))


def _threat(token: Token, lemma: str, inner: _Coding | None) -> _Coding | None:
    if lemma == "warn" and (inner is None or inner.category not in HOSTILE):
        return _Coding(DISAPPROVE, None, token, (token,))
    mode = _threat_mode(inner) if inner else None
    return _Coding(THREATEN, mode, token, (token, *_inner_path(token, inner)), True)


def _threat_mode(inner: _Coding) -> str | None:
    code = (inner.category, inner.mode)
    return THREAT_MODES.get(code) or THREAT_CATEGORY_MODES.get(inner.category)


def _claimed(token: Token, inner: _Coding | None) -> _Coding | None:
    """ "X claimed responsibility for the bombing": X's act is the bombing."""
    obj = _object(token)
    if obj is None or _lemma(obj) not in ("responsibility", "credit"):
        return None
    for prep in obj.children:
        if prep.dep_ == "prep" and prep.lower_ == "for":
            for pobj in prep.children:
                found = _search(pobj)
                if found is not None:
                    return _Coding(found.category, found.mode, found.trigger, (token, *found.path))
    return None


def _failed(token: Token, inner: _Coding | None) -> _Coding | None:
    if inner is None:
        return None
    if inner.category in COOPERATIVE:
        return _Coding(REJECT, None, token, (token, *inner.path))
    return _Coding(inner.category, inner.mode, inner.trigger, (token, *inner.path), negated=True)


def _demand(token: Token, inner: _Coding | None) -> _Coding | None:
    bare = not any(c.dep_ in ("dobj", "ccomp") for c in token.children)
    if _lemma(token) in ("order", "call", "ask", "press", "push") and inner is None and bare:
        return None  # "called the attack cowardly", "pressed ahead"
    if _lemma(token) == "call" and not any(c.dep_ in ("xcomp", "ccomp") for c in token.children):
        return None  # "called for" and "called on" are phrasal
    return _Coding(DEMAND, None, token, (token, *_inner_path(token, inner)))


def _intent(token: Token, lemma: str, inner: _Coding | None) -> _Coding | None:
    """Promises, vows, plans: cooperative acts are AGREE, hostile ones THREATEN."""
    if inner is None:
        if lemma == "seek" and _object(token) is not None:
            return _Coding(DEMAND, None, token, (token,))  # "sought talks", "sought asylum"
        if lemma == "commit" and any(c.dep_ == "prep" and c.lower_ == "to" for c in token.children):
            return _Coding(AGREE, None, token, (token,), True)
        if lemma in PROMISES:
            return _Coding(AGREE, None, token, (token,), True)
        if lemma in VOWS:
            return _Coding(THREATEN, None, token, (token,), True)
        return None
    path = (token, *inner.path)
    if lemma == "prepare" and inner.category in (FIGHT, ASSAULT):
        return _Coding(MOBILIZE, "weapons", token, path, True)
    if lemma == "offer" and inner.category in COOPERATIVE:
        return _Coding(AGREE, None, token, path, True)
    return _as_intent(inner, path)


def _as_intent(inner: _Coding, path: tuple[Token, ...]) -> _Coding:
    category, mode = inner.category, inner.mode
    if inner.negated and category in COOPERATIVE:
        return _Coding(REJECT, None, inner.trigger, path, True)
    if category in COOPERATIVE:
        return _Coding(AGREE, None, inner.trigger, path, True)
    if category in HOSTILE and category != THREATEN:
        return _Coding(THREATEN, _threat_mode(inner), inner.trigger, path, True, inner.negated)
    return _Coding(category, mode, inner.trigger, path, True, inner.negated)


def _complement_coding(token: Token) -> _Coding | None:
    """The act a head takes as complement: a clause, an infinitive, an event noun."""
    for child in _complements(token):
        found = _search(child)
        if found is not None:
            return found
    return None


def _complements(token: Token) -> list[Token]:
    comps = [c for c in token.children if c.dep_ in ("xcomp", "ccomp")]
    comps += [c for c in token.children if c.dep_ == "acl" and token.pos_ == "NOUN"]
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in ("to", "on", "for", "of", "against"):
            comps += [c for c in prep.children if c.dep_ in ("pcomp", "pobj")]
    comps += [c for c in token.children if c.dep_ == "dobj"]
    return comps


def _passing(token: Token, lemma: str) -> _Coding | None:
    """Aspectual verbs and copulas: the act is their complement ("continued to send")."""
    if lemma not in ASPECTUAL and token.pos_ != "AUX" and lemma not in ("guilty", "responsible"):
        return None
    for child in token.children:
        if child.dep_ in ("xcomp", "ccomp", "acomp", "attr"):
            found = _search(child)
            if found is not None:
                return _Coding(
                    found.category,
                    found.mode,
                    found.trigger,
                    (token, *found.path),
                    found.hypothetical,
                    found.negated,
                )
    if lemma in ("guilty", "responsible"):
        inner = _complement_coding(token)
        if inner is not None:
            return _Coding(inner.category, inner.mode, inner.trigger, (token, *inner.path))
    return None


def _light(token: Token, lemma: str) -> _Coding | None:
    """A light verb's act is its object noun ("held talks", "went on a hunger strike")."""
    if lemma not in LIGHT or token.pos_ != "VERB":
        return None
    for noun in _light_objects(token):
        code = _noun_code(noun, lemma)
        if code == DEMO and lemma in ORGANIZING:
            code = (PROTEST, "demo-org")
        if code is None and _lemma(noun) in INTENT | DEMANDS | {"threat", "warning"}:
            found = _statement(noun, _lemma(noun))  # "expressed readiness to talk"
            if found is not None:
                return _Coding(
                    found.category,
                    found.mode,
                    found.trigger,
                    (token, *found.path),
                    found.hypothetical,
                    found.negated,
                )
        if code is not None:
            return _Coding(*_refine(code, noun), noun, (token, noun))
        for acl in noun.children:
            if acl.dep_ == "acl":
                found = _code(acl)
                if found is not None:
                    return _Coding(found.category, found.mode, found.trigger, (token, *found.path))
    return None


def _light_objects(token: Token) -> list[Token]:
    nouns = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass", "attr")]
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in ("on", "in", "into", "under"):
            nouns += [c for c in prep.children if c.dep_ == "pobj"]
    return nouns + [of for noun in nouns for of in _of_objects(noun)]


def _noun_code(noun: Token, light: str) -> Code | None:
    """An event noun, or the event named by its compound ("mediation effort")."""
    lemma = _lemma(noun)
    if lemma == "protest" and light in ("lodge", "file", "issue", "make", "register"):
        return (DISAPPROVE, None)
    if lemma == "strike":
        return _strike_code(noun)
    if lemma == "game" and any(_lemma(c) == "war" for c in noun.children):
        return (COOPERATE, None) if _plural_subject(noun) else (MOBILIZE, "troops")
    if any(_lemma(c) in ("joint", "combined") for c in noun.children if c.dep_ == "amod"):
        return (COOPERATE, None)
    for word in [lemma, *(_lemma(c) for c in noun.children if c.dep_ in ("compound", "amod"))]:
        code = WORDS.get(word) or _violence_code(noun, word)
        if code is not None:
            return code
    if lemma in ("operation", "campaign") and _military_operation(noun):
        return (FIGHT, None)
    if lemma in ("exercise", "manoeuvre", "maneuver", "patrol", "drill", "operation"):
        return _joint(noun)
    return None


def _military_operation(noun: Token) -> bool:
    """ "a military operation against X", "an offensive campaign"."""
    against = any(c.dep_ == "prep" and c.lower_ == "against" for c in noun.children)
    words = {_lemma(c) for c in noun.children if c.dep_ in ("amod", "compound")}
    return against or bool(words & {"military", "offensive", "combat", "ground", "air"})


def _strike_code(noun: Token) -> Code:
    modifiers = {_lemma(c) for c in noun.children if c.dep_ in ("compound", "amod")}
    if modifiers & {"air", "aerial", "missile", "drone", "rocket", "artillery"}:
        return (FIGHT, "heavy-weapons")
    if "hunger" in modifiers:
        return (PROTEST, "strike-hun")
    return (PROTEST, "strike-gen")


def _joint(noun: Token) -> Code | None:
    if any(_lemma(c) in ("joint", "combined") for c in noun.children):
        return (COOPERATE, None)
    if any(_lemma(c) in ("military", "naval", "army") for c in noun.children):
        return (COOPERATE, None) if _plural_subject(noun) else (MOBILIZE, "troops")
    return None


def _plural_subject(token: Token) -> bool:
    """Two actors do it together: "A and B launched war games"."""
    verb = _verb_of(token)
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    return any(
        any(g.dep_ == "conj" for g in s.children) or any(a.dep_ == "conj" for a in _mods(s))
        for s in subjects
    )


def _mods(token: Token) -> list[Token]:
    return [g for c in token.children if c.dep_ in ("amod", "compound") for g in c.children]


def _by_object(token: Token, lemma: str) -> _Coding | None:
    """Verbs coded by what they act on ("lifted the curfew", "expelled two diplomats")."""
    rules = OBJECT_RULES.get(lemma)
    if rules is None or token.pos_ != "VERB":
        return None
    words = _object_words(token)
    for required, code in rules:
        if (not required and words) or required & words:
            return _Coding(*_refine(code, token), token, (token,))
    return None


def _object_words(token: Token) -> set[str]:
    """Lemmas of a verb's objects with their modifiers; the subject of a passive."""
    objects = [c for c in token.children if c.dep_ in ("dobj", "dative", "attr", "oprd", "acomp")]
    for clause in (c for c in token.children if c.dep_ in ("ccomp", "xcomp")):
        objects += [c for c in clause.children if c.dep_ in ("nsubj", "dobj")]  # "let X do Y"
    if _passive(token):
        objects += [c for c in token.children if c.dep_ == "nsubjpass"]
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in ("on", "as", "to", "from", "of"):
            objects += [c for c in prep.children if c.dep_ == "pobj"]
    words: set[str] = set()
    for obj in objects:
        for head in _conjuncts(obj) + _of_objects(obj):
            words.add(_lemma(head))
            words |= {_lemma(c) for c in head.children if c.dep_ in ("compound", "amod")}
    return words


def _of_objects(noun: Token) -> list[Token]:
    """What a quantity or part is of: "tons of aid", "part of a programme"."""
    return [
        pobj
        for prep in noun.children
        if prep.dep_ == "prep" and prep.lower_ == "of"
        for pobj in prep.children
        if pobj.dep_ == "pobj"
    ]


# --- refinements ------------------------------------------------------------------------


def _violence_code(token: Token, lemma: str) -> Code | None:
    """Attacks and killings: FIGHT with conventional arms or by a military, else ASSAULT."""
    if lemma not in VIOLENT:
        return None
    if lemma == "strike" and token.pos_ == "NOUN":
        return _strike_code(token)
    if lemma in ("hit", "strike") and not any(c.dep_ == "dobj" for c in token.children):
        if lemma == "strike" and _subject_lemmas(token) & (CROWDS | WORKERS):
            return (PROTEST, "strike-gen")  # "teachers struck for a second week"
        return None
    return _violence(token, lemma)


def _violence(token: Token, lemma: str) -> Code:
    words = _clause_lemmas(token)
    heavy = words & HEAVY_WEAPONS
    if "suicide" in words:
        return (ASSAULT, "suicide-attack")
    if (words & EXPLOSIVES or lemma in ("bomb", "bombing")) and not heavy:
        return (ASSAULT, "explosives")
    if words & PRIMITIVE:
        return (ASSAULT, "primitive")
    if heavy:
        return (FIGHT, "heavy-weapons")
    if lemma in ("stab", "beat"):
        return (ASSAULT, "primitive")
    victims = _victim_lemmas(token)
    if victims & CIVILIANS:
        return (ASSAULT, None)
    if victims & MILITARY_TARGETS:
        return (FIGHT, None)
    if words & FIREARMS:
        return (FIGHT, "firearms")
    if lemma in ("kill", "shoot", "attack", "murder") and _victim_is_leader(token):
        return (ASSAULT, "assassinate")
    if _subject_lemmas(token) & MILITARY:
        return (FIGHT, None)
    return (ASSAULT, None)


def _refine(code: Code, token: Token) -> Code:
    """Context that changes a lexical code."""
    category, mode = code
    lemma = _lemma(token)
    if category == PROTEST and lemma == "protest" and token.pos_ == "VERB":
        return (DISAPPROVE, None) if _official_protest(token) else code
    if category == FIGHT and lemma in CONVENTIONAL:
        words = _clause_lemmas(token)
        if words & HEAVY_WEAPONS:
            return (FIGHT, "heavy-weapons")
        if words & FIREARMS:
            return (FIGHT, "firearms")
    subjects = _subject_lemmas(token)
    if code == (FIGHT, "firearms") and _victim_lemmas(token) & CIVILIANS:
        return (ASSAULT, None)  # "opened fire on protesters": repression, not combat
    if category == MOBILIZE and mode == "troops" and "police" in subjects:
        return (MOBILIZE, "police")
    violent = category in (FIGHT, ASSAULT) or code == (COERCE, "destroy")
    if violent and subjects & CROWDS and not subjects & MILITARY:
        return (PROTEST, "riot-spon")  # a violent crowd riots
    if code == (COERCE, "confiscate") and subjects & CROWDS:
        return (PROTEST, "obstruct")  # protesters occupying a building
    if lemma == "raid" and "police" in subjects:
        return (COERCE, "arrest")
    if lemma == "charge" and _passive(token):
        return (COERCE, "arrest")  # "was charged with": legal action
    if lemma in ("arrive", "travel") and subjects & MILITARY:
        return (MOBILIZE, "troops")
    if lemma == "blockade" and subjects & MILITARY:
        return (COERCE, "restrict")
    return code


def _official_protest(verb: Token) -> bool:
    """ "X protested to Y over Z" by a government is a complaint, not a demonstration."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    addressed = any(
        c.dep_ == "dobj" or (c.dep_ == "prep" and c.lower_ in ("to", "over", "at"))
        for c in verb.children
    )
    if not subjects or not addressed:
        return False
    head = subjects[0]
    return head.pos_ == "PROPN" and head.tag_ != "NNPS" and head.ent_type_ in ("GPE", "ORG")


def _modality(coding: _Coding, token: Token) -> _Coding:
    """Negation, future and intention on the act's own clause."""
    negated = coding.negated or _negated(token)
    future = _future(token)
    hypothetical = coding.hypothetical or future or _modal(token)
    if future and not coding.hypothetical:
        plain = _Coding(coding.category, coding.mode, coding.trigger, coding.path, False, negated)
        if _conditional(token):  # "will withdraw unless ...": an ultimatum
            return _Coding(THREATEN, _threat_mode(plain), coding.trigger, coding.path, True)
        return _as_intent(plain, coding.path)
    if negated and coding.category in (AGREE, SUPPORT, CONCEDE):
        return _Coding(REJECT, None, coding.trigger, coding.path, hypothetical, False)
    return _Coding(coding.category, coding.mode, coding.trigger, coding.path, hypothetical, negated)


def _conditional(token: Token) -> bool:
    verb = _verb_of(token)
    return any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ == "unless" for m in c.children)
        for c in verb.children
    )


def _negated(token: Token) -> bool:
    verb = token.head if token.dep_ in ("dobj", "pobj") and token.pos_ == "NOUN" else token
    return any(c.dep_ == "neg" or c.lower_ == "never" for c in verb.children)


def _future(token: Token) -> bool:
    verb = _verb_of(token)
    return any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in verb.children) or any(
        c.lower_ == "going" and c.dep_ == "aux" for c in verb.children
    )


def _modal(token: Token) -> bool:
    verb = _verb_of(token)
    return any(c.dep_ == "aux" and c.lower_ in MODAL_AUX for c in verb.children)


# --- arguments --------------------------------------------------------------------------


def _event(coding: _Coding, sent: Span, table: EntityTable) -> PloverEvent:
    sources = _sources(coding, table)
    targets = [t for t in _targets(coding, table) if t not in sources]
    trigger = coding.trigger
    start, end = _evidence_span(sent)
    return PloverEvent(
        category=coding.category,
        mode=coding.mode,
        trigger=original(trigger.doc[trigger.i : trigger.i + 1]),
        trigger_start=trigger.idx,
        trigger_end=trigger.idx + len(trigger.text),
        source=tuple(sources),
        target=tuple(targets),
        negated=coding.negated,
        hypothetical_or_future=coding.hypothetical,
        evidence_start=start,
        evidence_end=end,
    )


def _evidence_span(sent: Span) -> tuple[int, int]:
    text = doc_text(sent.doc)[sent.start_char : sent.end_char]
    start = sent.start_char + (len(text) - len(text.lstrip()))
    return start, sent.end_char - (len(text) - len(text.rstrip()))


def _sources(coding: _Coding, table: EntityTable) -> list[str]:
    frame = _verb_of(coding.path[0])
    names: list[str] = []
    if _raising(frame):  # "X is expected to visit Y"
        for subject in (c for c in frame.children if c.dep_ == "nsubjpass"):
            names += _actors(subject, table)
    elif _passive(frame):
        for agent in (c for c in frame.children if c.dep_ == "agent"):
            for pobj in agent.children:
                names += _actors(pobj, table)
    else:
        for subject in _subjects(frame):
            names += _subject_actors(subject, frame, table)
    if not names and coding.trigger.pos_ == "NOUN":
        names += _modifier_actors(coding.trigger, table)
    return _unique(names)


def _subject_actors(subject: Token, frame: Token, table: EntityTable) -> list[str]:
    """A pronoun in a reported clause is its speaker: "X said it would ..."."""
    if subject.lower_ in PRONOUNS and table.at(subject.i) is None:
        reporter = _reporter_of(frame)
        if reporter is None:
            return []
        speakers = _subjects(reporter) or [c for c in reporter.children if c.dep_ == "nsubjpass"]
        return [n for s in speakers for n in _subject_actors(s, reporter, table)]
    return _actors(subject, table)


def _reporter_of(verb: Token) -> Token | None:
    node = verb
    for _ in range(3):
        if node.dep_ in ("ccomp", "pcomp") and node.head.i != node.i:
            head = node.head
            if head.dep_ == "prep" and head.head.i != head.i:
                head = head.head
            return head
        if node.dep_ not in ("xcomp", "conj") or node.head.i == node.i:
            return None
        node = node.head
    return None


def _subjects(verb: Token) -> list[Token]:
    """The subject of a verb, climbing through infinitives and conjoined verbs."""
    node = verb
    for _ in range(4):
        subjects = [c for c in node.children if c.dep_ in ("nsubj", "csubj")]
        if subjects:
            return [s for subject in subjects for s in _conjuncts(subject)]
        if node.dep_ == "acl" and node.head.i != node.i:
            return [node.head]  # "forces guarding the border", "a newspaper called on X"
        if node.dep_ not in ("xcomp", "conj", "advcl", "acomp") or node.head.i == node.i:
            return []
        node = node.head
    return []


def _targets(coding: _Coding, table: EntityTable) -> list[str]:
    on_path = {t.i for t in coding.path}
    names: list[str] = []
    for clause in coding.path[1:]:  # "demanded that X leave", "said X must leave"
        if clause.dep_ == "ccomp":
            names += [n for s in _subjects(clause) for n in _actors(s, table)]
        if clause.pos_ == "NOUN":  # "rejected an Egyptian proposal"
            names += _modifier_actors(clause, table)
    heads = list(coding.path)
    trigger = coding.trigger
    if trigger.pos_ == "NOUN" and trigger.dep_ in ("nsubj", "dobj"):
        heads.append(trigger.head)  # "fighting broke out between X", "paid tribute to X"
    if coding.category == PROTEST:
        heads += _purposes(_verb_of(coding.path[0]))
    for token in heads:
        themes = _lemma(token) in THEME_VERBS
        for child in token.children:
            if child.i in on_path or (themes and child.dep_ == "dobj"):
                continue
            names += _child_targets(child, token, table)
    if coding.trigger.pos_ == "NOUN" and coding.trigger.i != coding.path[0].i:
        names += _modifier_actors(coding.trigger, table)
    if not names:
        names += _places(coding, table)
    return _unique(names)


def _raising(verb: Token) -> bool:
    """A passive whose subject is the agent: "X is expected to visit", "X was engaged in"."""
    if not _passive(verb) or any(c.dep_ == "agent" for c in verb.children):
        return False
    return _lemma(verb) in STATIVE_PASSIVES or any(c.dep_ == "xcomp" for c in verb.children)


def _child_targets(child: Token, head: Token, table: EntityTable) -> list[str]:
    dep = child.dep_
    if dep == "nsubjpass" and _raising(head):
        return []
    if dep == "dative" and child.pos_ == "ADP":  # "sent aid to X"
        dep = "prep"
    elif dep in ("dobj", "dative", "iobj") or (dep == "nsubjpass" and _passive(head)):
        return _actors_or_inside(child, table)
    if (
        dep == "prep"
        and child.lower_ in TARGET_PREPS
        and not (child.lower_ == "by" and _passive(head))
    ):
        return [n for p in child.children if p.dep_ == "pobj" for n in _actors_or_inside(p, table)]
    if dep == "ccomp" and head.pos_ == "VERB":
        return [n for s in _subjects(child) for n in _actors(s, table)]
    return []


def _purposes(verb: Token) -> list[Token]:
    """What a protest is for or against: "to protest X", "to demand Y", "in protest at Z"."""
    heads = [c for c in verb.children if c.dep_ == "advcl"]
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.lower_ in ("in", "over", "against"):
            heads += [p for p in prep.children if p.dep_ == "pobj" and _lemma(p) == "protest"]
    return heads


def _places(coding: _Coding, table: EntityTable) -> list[str]:
    """ "lifted a curfew in X": the place stands for its people when no one else is named."""
    names: list[str] = []
    for token in {*coding.path, _verb_of(coding.trigger)}:
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "into", "inside"):
                for pobj in prep.children:
                    found = table.in_tokens(_core(pobj))
                    names += [n for n in found if table.type_of(n) == "LOCATION"]
    return names


def _actors_or_inside(noun: Token, table: EntityTable, depth: int = 0) -> list[str]:
    """The actors a noun phrase names, or, for a thing or an act ("sanctions on X", "an
    Indian proposal"), the actors of its modifiers and prepositional phrases."""
    found = _actors(noun, table)
    if found or depth > 1:
        return found
    names = _modifier_actors(noun, table)
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in TARGET_PREPS:
            for pobj in prep.children:
                if pobj.dep_ == "pobj":
                    names += _actors_or_inside(pobj, table, depth + 1)
    return names


def _modifier_actors(noun: Token, table: EntityTable) -> list[str]:
    """Actors named before a noun: "Sweden's decision", "a US offer", "Palestinian riots"."""
    names: list[str] = []
    for child in noun.children:
        if child.dep_ == "poss" and child.pos_ != "PRON":
            names += _actors(child, table)
        elif child.dep_ in ("compound", "amod", "nmod"):
            name = table.at(child.i)
            if name is not None:
                names.append(name)
            elif child.ent_type_ in ACTOR_LABELS or child.pos_ == "PROPN":
                names.append(_phrase(child))
    return names


def _actors(noun: Token, table: EntityTable) -> list[str]:
    """Who a noun phrase and its conjuncts name: the entity it is, else the entities of its
    modifiers and of-phrase ("Kenya's army", "the government of Kenya"), else the phrase
    itself ("the prime minister", "a suicide bomber"). Acts and things name no one."""
    names: list[str] = []
    for head in _conjuncts(noun):
        name = table.at(head.i)
        members = _of_objects(head) if _lemma(head) in QUANTITIES or head.like_num else []
        if name is not None:
            names.append(name)
        elif members:  # "thousands of students"
            names += [n for m in members for n in _actors(m, table)]
        elif head.pos_ in ("NOUN", "PROPN") and not _is_thing(head):
            names += _owner_entities(head, table) or [_phrase(head)]
    return names


def _is_thing(head: Token) -> bool:
    """Acts, goods and abstractions, including most nouns made from verbs ("an admission")."""
    lemma = _lemma(head)
    if head.ent_type_ in NOT_ACTOR_LABELS or lemma in THINGS or lemma in VIOLENT:
        return True
    deverbal = lemma.endswith(("tion", "sion", "ment", "ance", "ence"))
    return deverbal and head.pos_ == "NOUN" and lemma not in ACTOR_NOUNS | MILITARY_TARGETS


def _owner_entities(head: Token, table: EntityTable) -> list[str]:
    """Entities owning a head: "Kenya's army", "the government of Kenya". A modifier the
    table does not know ("Russian negotiators") keeps the whole phrase instead."""
    owners = [c for c in head.children if c.dep_ in ("poss", "compound", "amod", "nmod")]
    if any(o.ent_type_ in ACTOR_LABELS and table.at(o.i) is None for o in owners):
        return []
    owners += [
        p for c in head.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children
    ]
    return table.in_tokens(t for owner in owners for t in _core(owner))


def _core(head: Token) -> Iterator[Token]:
    """A noun phrase without its relative clauses, participles and appositions."""
    yield head
    for child in head.children:
        if child.dep_ in SIDE or child.dep_ in ("conj", "cc", "punct", "advcl"):
            continue
        if child.dep_ == "prep" and child.lower_ not in ("of", "from", "in", "at"):
            continue
        yield from _core(child)


def _phrase(head: Token) -> str:
    tokens = [t for t in sorted(_core(head), key=lambda t: t.i) if t.dep_ != "case"]
    start, end = tokens[0].i, tokens[-1].i
    return original(head.doc[start : end + 1]).strip(" ,;:'\"`")


# --- small helpers ----------------------------------------------------------------------


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _lemmas(tokens: Iterable[Token]) -> set[str]:
    return {_lemma(t) for t in tokens}


def _object(verb: Token) -> Token | None:
    return next((c for c in verb.children if c.dep_ == "dobj"), None)


def _passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def _verb_of(token: Token) -> Token:
    """A noun's governing verb ("held talks" -> held); a verb itself."""
    node = token
    for _ in range(4):
        if node.pos_ in ("VERB", "AUX") or node.head.i == node.i:
            return node
        node = node.head
    return node if node.pos_ in ("VERB", "AUX") else token


def _conjuncts(token: Token) -> list[Token]:
    heads = [token]
    for head in heads:
        heads += [c for c in head.children if c.dep_ == "conj" and c not in heads]
    return heads


def _clause_lemmas(token: Token) -> set[str]:
    verb = _verb_of(token)
    words = {_lemma(t) for t in verb.subtree if not _in_side_clause(t, verb)}
    return words | {t.lower_ for t in verb.subtree}


def _subject_lemmas(token: Token) -> set[str]:
    verb = _verb_of(token)
    agents = [p for c in verb.children if c.dep_ == "agent" for p in c.children]
    return {_lemma(t) for s in _subjects(verb) + agents for t in s.subtree}


def _victim_lemmas(token: Token) -> set[str]:
    verb = _verb_of(token)
    victims = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
    victims += [
        p
        for c in verb.children
        if c.dep_ == "prep" and c.lower_ in ("on", "at")
        for p in c.children
    ]
    return {_lemma(t) for v in victims for t in v.subtree}


def _victim_is_leader(verb: Token) -> bool:
    victims = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
    return any(_lemma(v) in TITLES or v.ent_type_ == "PERSON" for v in victims)


def _in_side_clause(token: Token, top: Token) -> bool:
    node = token
    while node.i != top.i and node.head.i != node.i:
        if node.dep_ in SIDE:
            return True
        node = node.head
    return False


def _depth(token: Token) -> int:
    depth, node = 0, token
    while node.head.i != node.i:
        depth, node = depth + 1, node.head
    return depth


def _unique(names: Iterable[str]) -> list[str]:
    return [n for n in dict.fromkeys(names) if n]
