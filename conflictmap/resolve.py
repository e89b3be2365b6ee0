"""Actor name matching across documents: transliteration variants, acronyms, surnames.

Pure functions, no I/O, no actor names in the rules: the store calls :func:`same_actor` on
candidate pairs it has already blocked (same type family, a shared :func:`name_key` token or
acronym) and merges at :data:`SAME_ACTOR_THRESHOLD`.

* :func:`name_key` folds a name to a transliteration-tolerant key: Arabic article variants
  (al-/el-/ad-/ash-..., attached ``-eddine``/``-uddin``), ``ou``/``oo``/``u``, ``ee``/``i``,
  ``k``/``q``/``c``, ``kh``/``gh``/``dh``/``th`` digraphs, French ``ch``/``dj``, doubled
  letters, a final ``h``, ``e`` read as ``a``.
* :func:`name_similarity` is a soft token-set Jaccard over key tokens (tokens match when equal,
  when their consonant skeletons agree and Jaro-Winkler is high, or when Jaro-Winkler alone is
  very high), with spacing differences ("Bokoharam") caught on the joined key.
* :func:`same_actor` adds type compatibility, acronym/long-form checks, person surname rules
  (surname-only matches the last token; same surname with different given names is penalised)
  and weak country/co-occurrence evidence.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from conflictmap.extract.gazetteer import fold

__all__ = [
    "SAME_ACTOR_THRESHOLD",
    "Candidate",
    "acronym_score",
    "blocking_keys",
    "initials",
    "is_acronym",
    "jaro_winkler",
    "name_key",
    "name_similarity",
    "same_actor",
    "types_compatible",
]

SAME_ACTOR_THRESHOLD: float = 0.7
"""Merge two entities when :func:`same_actor` reaches this score."""

ORG_TYPES = frozenset({"ORGANIZATION", "ARMED_GROUP", "STATE_FORCE"})


@dataclass(frozen=True)
class Candidate:
    """One entity as the matcher sees it; ``context`` = names of co-occurring actors."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    context: frozenset[str] = field(default_factory=frozenset)


# --------------------------------------------------------------------------- string metrics


def jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity in 0..1 (plain Python, short strings)."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    window = max(max(la, lb) // 2 - 1, 0)
    b_used = [False] * lb
    a_match: list[str] = []
    for i, ch in enumerate(a):
        lo, hi = max(0, i - window), min(lb, i + window + 1)
        for j in range(lo, hi):
            if not b_used[j] and b[j] == ch:
                b_used[j] = True
                a_match.append(ch)
                break
    m = len(a_match)
    if not m:
        return 0.0
    b_match = [b[j] for j in range(lb) if b_used[j]]
    transpositions = sum(x != y for x, y in zip(a_match, b_match, strict=True)) / 2
    jaro = (m / la + m / lb + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


def _edit_distance_le1(a: str, b: str) -> bool:
    """Whether Levenshtein(a, b) <= 1."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    return a[i + 1 :] == b[i + 1 :] if la == lb else a[i:] == b[i + 1 :]


# --------------------------------------------------------------------------- keys


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Arabic definite article as transliterated, with sun-letter assimilation, and the short
# "ul/ud" forms of "Abd ul-", "Nur ud-Din".
_ARTICLES = _words("al el ad ed ar er as es at et an en az ez ash esh adh ath ul ud us ut un ur il")
# Function words of English, French, Spanish, Portuguese names, plus Arabic "wa"/"wal".
_STOPWORDS = _words(
    """of the and for in on at to by a an de des du la le les et en pour d l y del los las
    e da do dos das au aux wa wal w fi li lil"""
)
_TITLES = _words(
    """gen general col colonel lt lieutenant maj major capt captain cmdr commander sgt
    sheikh shaykh cheikh sheik shaikh mullah mollah imam dr mr mrs president pres
    brig brigadier marshal field senior chief supreme"""
)
# Generic organisation words: a long form that adds only these to a shorter one is the same
# organisation ("Harakat al-Shabaab al-Mujahidin" ~ "al-Shabaab").
_GENERIC_ORG: dict[str, str] = {
    w: cls
    for cls, words in (
        ("movement", "movement mouvement movimiento harakat haraka tehrik tahrik"),
        ("front", "front frente jabhat jabha"),
        ("group", "group groupe grupo jamaat jamaa jamaatu tanzim"),
        ("army", "army armee ejercito jaysh jaish"),
        ("forces", "forces force fuerzas"),
        ("organization", "organization organisation organizacion"),
        ("mujahidin", "mujahidin mujahideen mujahedin"),
        ("militia", "militia milicia"),
    )
    for w in words.split()
}

_DIN_WORDS = _words("din dine deen eddine eddin edine uddin uddine addin aldin eldin")
_ELISION = re.compile(r"\b([ldjmnst]|qu)['’ʼ`]", re.IGNORECASE)
_DIN = re.compile(r"^([a-z]{3,}?)(?:eddine|eddin|edine|uddin|uddine|udin|addin|aldin|eldin)$")
_ABD = re.compile(r"^abd(?:el|ul|al|oul|ol|il|ou|u)?(?=[a-z]{4,}$)")
_ART_SUFFIX = re.compile(r"^([a-z]{4,}?)(?:oul|ul)$")

# Ordered rewrites on a folded token.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"tch", "sh"),
        (r"sch", "sh"),
        (r"ch", "sh"),
        (r"dj", "j"),
        (r"ph", "f"),
        (r"kh", "k"),
        (r"gh", "g"),
        (r"dh", "d"),
        (r"th", "t"),
        (r"ck", "k"),
        (r"qu(?=[aeiy])", "k"),
        (r"[qc]", "k"),
        (r"x", "ks"),
        (r"^ou(?=[aeiy])", "w"),
        (r"(?<=.)w", "u"),
        (r"ou|oo|o", "u"),
        (r"ee|ie|ey", "i"),
        (r"(?<=[aeiou])y(?=[aeiou])", "i"),
        (r"(?<=[a-z])y(?=[^aeiou]|$)", "i"),
        (r"e", "a"),
        (r"(?<=[aeiou])h$", ""),
        (r"([a-z])\1+", r"\1"),
    )
)


@functools.lru_cache(maxsize=65536)
def _token_key(tok: str) -> str:
    if tok.isdigit():
        return tok
    for pattern, repl in _REWRITES:
        tok = pattern.sub(repl, tok)
    return tok


@functools.lru_cache(maxsize=65536)
def _skeleton(key: str) -> str:
    """Consonant skeleton of a key token; g/k/j merged, initial vowel kept as ``_``."""
    head = "_" if key[:1] in "aeiou" else ""
    return head + re.sub(r"[aeiouwhy]", "", key).translate(_SKEL)


_SKEL = str.maketrans({"g": "k"})
_VOWEL_RUN = re.compile(r"[aeiou]+")


def _vowel_groups(key: str) -> int:
    return len(_VOWEL_RUN.findall(key))


def _raw_tokens(name: str) -> list[str]:
    return fold(_ELISION.sub(r"\1 ", name)).split()


@functools.lru_cache(maxsize=65536)
def _key_tokens(name: str) -> tuple[str, ...]:
    """Key tokens of a name, articles removed (kept if the name is nothing else)."""
    raw = _raw_tokens(name)
    out: list[str] = []
    for i, tok in enumerate(raw):
        if tok in _ARTICLES:
            continue
        if tok in _DIN_WORDS:
            out.append("din")
            continue
        m = _DIN.match(tok)
        if m:
            out.extend((_token_key(m.group(1)), "din"))
            continue
        m = _ABD.match(tok)
        if m:
            out.extend(("abd", _token_key(tok[m.end() :])))
            continue
        if tok in ("abdel", "abdul", "abdoul", "abdal", "abd"):
            out.append("abd")
            continue
        m = _ART_SUFFIX.match(tok)
        if m and i + 1 < len(raw):
            out.append(_token_key(m.group(1)))
            continue
        out.append(_token_key(tok))
    if not out:
        out = [_token_key(t) for t in raw]
    return tuple(t for t in out if t)


def name_key(name: str) -> str:
    """Transliteration-tolerant key: equal keys are near-certainly spelling variants.

    >>> name_key("Muammar al-Qaddafi"), name_key("Mouammar Kadhafi")
    ('muamar kadafi', 'muamar kadafi')
    >>> name_key("Nasr ad-Din"), name_key("Nasreddine")
    ('nasr din', 'nasr din')
    """
    return " ".join(_key_tokens(name))


def _content(tokens: tuple[str, ...]) -> tuple[str, ...]:
    kept = tuple(t for t in tokens if t not in _STOPWORDS_KEY)
    return kept or tokens


_STOPWORDS_KEY = frozenset(_token_key(w) for w in _STOPWORDS)
_TITLES_KEY = frozenset(_token_key(w) for w in _TITLES)
_GENERIC_KEY = {_token_key(w): cls for w, cls in _GENERIC_ORG.items()}


@functools.lru_cache(maxsize=262144)
def _tok_sim(a: str, b: str) -> float:
    """Similarity of two key tokens, 0 when they should not be aligned."""
    if a == b:
        return 1.0
    if a.isdigit() or b.isdigit():
        return 0.0
    if a + "s" == b or b + "s" == a:
        return 0.95
    jw = jaro_winkler(a, b)
    if _skeleton(a) == _skeleton(b) and _vowel_groups(a) == _vowel_groups(b):
        # Same consonants in order, same number of syllables: a vowel-spelling variant
        # ("hazbula"/"hizbala"); a short skeleton carries little evidence ("bunia"/"bani").
        consonants = len(_skeleton(a).lstrip("_"))
        if (consonants >= 3 and jw >= 0.7) or (consonants == 2 and jw >= 0.85):
            return 0.95
    if jw >= 0.93 and min(len(a), len(b)) >= 5:
        return jw
    return 0.0


def _soft_jaccard(ta: tuple[str, ...], tb: tuple[str, ...]) -> tuple[float, int]:
    """Soft token-set Jaccard (greedy alignment) and the number of aligned tokens."""
    if not ta or not tb:
        return 0.0, 0
    pairs = sorted(
        ((_tok_sim(x, y), i, j) for i, x in enumerate(ta) for j, y in enumerate(tb)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    for s, i, j in pairs:
        if s <= 0:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += s
    n = len(used_a)
    return total / (len(set(ta)) + len(set(tb)) - n), n


def _joined_match(ta: tuple[str, ...], tb: tuple[str, ...]) -> bool:
    """Same name written with different word breaks ("Bokoharam", "Abu Bakr"/"Abubakar")."""
    ja, jb = "".join(ta), "".join(tb)
    if ja == jb:
        return True
    return len(ta) != len(tb) and len(ja) >= 6 and _skeleton(ja) == _skeleton(jb)


@functools.lru_cache(maxsize=65536)
def name_similarity(a: str, b: str) -> float:
    """Similarity of two names in 0..1 (word order kept, spelling variants tolerated)."""
    ta, tb = _content(_key_tokens(a)), _content(_key_tokens(b))
    if not ta or not tb:
        return 0.0
    if ta == tb or _joined_match(ta, tb):
        return 1.0
    return _soft_jaccard(ta, tb)[0]


# --------------------------------------------------------------------------- acronyms


def is_acronym(name: str) -> bool:
    """An all-capitals short form such as "AQIM", "FARC-EP", "M23" (not "Boko Haram")."""
    letters = [ch for ch in name if ch.isalpha()]
    if not letters or len(letters) > 10 or not all(ch.isupper() for ch in letters):
        return False
    return len(name.split()) <= 2 and sum(ch.isalnum() for ch in name) >= 2


def _acronym_key(name: str) -> str:
    return "".join(ch for ch in fold(name) if ch.isalnum())


@functools.lru_cache(maxsize=65536)
def initials(name: str) -> frozenset[str]:
    """Initials of a long form: content words, with articles, and with every word."""
    raw = _raw_tokens(name)
    if not raw:
        return frozenset()

    def first(t: str) -> str:
        return t if t.isdigit() else t[0]

    content = [first(t) for t in raw if t not in _STOPWORDS and t not in _ARTICLES]
    with_articles = [first(t) for t in raw if t not in _STOPWORDS]
    every = [first(t) for t in raw if len(t) > 1 or t.isdigit()]
    return frozenset("".join(v) for v in (content, with_articles, every) if v)


def acronym_score(acronym: str, long_form: str) -> float:
    """1.0 when the acronym spells the long form's initials, 0.8 for a small deviation."""
    acr = _acronym_key(acronym)
    if len(acr) < 2:
        return 0.0
    best = 0.0
    for ini in initials(long_form):
        if acr == ini:
            return 1.0
        if len(acr) >= 3 and len(ini) >= 3:
            near = len(acr) >= 4 and _edit_distance_le1(acr, ini)
            prefix = (ini.startswith(acr) or acr.startswith(ini)) and abs(len(ini) - len(acr)) <= 2
            if near or prefix:
                best = max(best, 0.8)
    return best


# --------------------------------------------------------------------------- actors


def types_compatible(a: str, b: str) -> float:
    """Type factor: 1 same family, 0.8 state force vs armed group, 0 incompatible."""
    if a == b:
        return 1.0
    if a in ORG_TYPES and b in ORG_TYPES:
        return 0.8 if "STATE_FORCE" in (a, b) and "ARMED_GROUP" in (a, b) else 1.0
    return 0.0


def _person_tokens(name: str) -> tuple[str, ...]:
    toks = _key_tokens(name)
    kept = tuple(t for t in toks if t not in _TITLES_KEY)
    return kept or toks


def _person_score(a: str, b: str) -> float:
    ta, tb = _person_tokens(a), _person_tokens(b)
    if not ta or not tb:
        return 0.0
    if ta == tb or _joined_match(ta, tb):
        return 1.0
    if len(ta) == 1 or len(tb) == 1:
        one, other = (ta, tb) if len(ta) == 1 else (tb, ta)
        if len(other) == 1:
            return _tok_sim(one[0], other[0])
        if _tok_sim(one[0], other[-1]) >= 0.9 or _joined_match(one, other[-2:]):
            return 0.8  # surname only (possibly written in two words: "Bel Hadj")
        return 0.0  # a given name alone, or a middle name: too ambiguous
    last = _tok_sim(ta[-1], tb[-1])
    if last < 0.9:
        # Surnames differ: only a near-identical whole name (spacing, split compounds).
        s = name_similarity(a, b)
        return s if s >= 0.9 else min(s, 0.4)
    ga, gb = ta[:-1], tb[:-1]
    short, long_ = (ga, gb) if len(ga) <= len(gb) else (gb, ga)
    if _joined_match(ga, gb) or (
        _tok_sim(ga[0], gb[0]) >= 0.9
        and all(any(_tok_sim(x, y) >= 0.9 for y in long_) for x in short)
    ):
        # Same given names and surname; middle names may be absent on one side, but every
        # given name of the shorter form must appear ("Abu Bakr X" is not "Abu Omar X").
        return max(0.9, _soft_jaccard(ta, tb)[0])
    if len(ga[0]) == 1 or len(gb[0]) == 1:  # an initial
        return 0.75 if ga[0][0] == gb[0][0] else 0.1
    return 0.15  # same surname, different given names: different people


def _org_score(a: str, b: str) -> float:
    ta, tb = _content(_key_tokens(a)), _content(_key_tokens(b))
    if not ta or not tb:
        return 0.0
    if ta == tb or _joined_match(ta, tb):
        return 1.0
    j, _ = _soft_jaccard(ta, tb)
    # Every specific (non-generic) word must find a partner on the other side; generic words
    # may be added ("Harakat al-Shabaab al-Mujahidin" ~ "al-Shabaab") or translated
    # ("Jabhat al-Nusra" ~ "Nusra Front"), never swapped ("... Army" vs "... Movement").
    spec_a = [t for t in ta if t not in _GENERIC_KEY]
    spec_b = [t for t in tb if t not in _GENERIC_KEY]
    if not spec_a or not spec_b:
        return j
    aligned = all(any(_tok_sim(x, y) > 0 for y in spec_b) for x in spec_a) and all(
        any(_tok_sim(x, y) > 0 for x in spec_a) for y in spec_b
    )
    if not aligned:
        return min(j, 0.6)
    cls_a = {_GENERIC_KEY[t] for t in ta if t in _GENERIC_KEY}
    cls_b = {_GENERIC_KEY[t] for t in tb if t in _GENERIC_KEY}
    if cls_a <= cls_b or cls_b <= cls_a:
        return max(j, 0.85)
    return min(j, 0.6)


def _names(c: Candidate) -> list[str]:
    seen: dict[str, None] = {}
    for n in (c.name, *c.aliases):
        if n and n.strip():
            seen.setdefault(n.strip(), None)
    return list(seen)


def _name_pair_score(x: str, y: str, person: bool) -> float:
    ax, ay = (not person) and is_acronym(x), (not person) and is_acronym(y)
    if ax and ay:
        kx, ky = _acronym_key(x), _acronym_key(y)
        if kx == ky:
            return 0.85  # same acronym: ambiguous on its own, long forms decide
        return 0.0
    if ax or ay:
        acr, long_form = (x, y) if ax else (y, x)
        return 0.9 * acronym_score(acr, long_form)
    return _person_score(x, y) if person else _org_score(x, y)


def same_actor(a: Candidate, b: Candidate) -> float:
    """Probability-like score in 0..1 that two entities denote the same actor."""
    factor = types_compatible(a.type, b.type)
    if factor == 0.0:
        return 0.0
    person = a.type == "PERSON"
    names_a, names_b = _names(a), _names(b)
    best = 0.0
    best_acr_only = 0.0
    long_sim = 0.0
    for x in names_a:
        for y in names_b:
            s = _name_pair_score(x, y, person)
            if not person and is_acronym(x) and is_acronym(y):
                best_acr_only = max(best_acr_only, s)
            else:
                best = max(best, s)
                if not person and not is_acronym(x) and not is_acronym(y):
                    long_sim = max(long_sim, s)
    if not person:
        longs_a = [n for n in names_a if not is_acronym(n)]
        longs_b = [n for n in names_b if not is_acronym(n)]
        if best_acr_only > 0:
            if longs_a and longs_b and long_sim < 0.5:
                # Same letters, unrelated long forms: two different groups; the long forms
                # decide, whatever each acronym matches on the other side.
                best = max(long_sim, 0.3)
            elif longs_a and longs_b and long_sim >= 0.5:
                # Long forms differing in a word, same acronym: renamed/retranslated form.
                best = max(best, 0.92)
            else:
                best = max(best, best_acr_only)
    score = best * factor
    if a.country and b.country:
        if fold(a.country) == fold(b.country):
            score += 0.05
        elif a.type == "LOCATION":
            score *= 0.3  # a place lies in one country; actors cross borders
        else:
            score -= 0.15
    if a.context and b.context:
        ca = {fold(n) for n in a.context}
        cb = {fold(n) for n in b.context}
        overlap = len(ca & cb) / len(ca | cb)
        score += 0.1 * overlap if overlap else -0.03
    return min(1.0, max(0.0, score))


def blocking_keys(c: Candidate) -> frozenset[str]:
    """Keys for candidate generation: consonant skeletons of content tokens, acronyms, initials.

    Two entities of compatible types sharing any key are worth scoring with
    :func:`same_actor`. Skeletons (not keys) so that vowel-spelling variants ("Hezbollah",
    "Hizballah") block together; for a person only the surname (last token, or the last two
    joined: "Bel Hadj", or its first three letters) is a key; generic organisation words are
    never keys; acronyms and initials also block on their first three letters.
    """
    keys: set[str] = set()
    for n in _names(c):
        if c.type == "PERSON":
            toks = _person_tokens(n)
            if toks:
                keys.add("p:" + _skeleton(toks[-1]))
                keys.add("p3:" + toks[-1][:3])  # Jaro-Winkler-only variants share a prefix
                if len(toks) >= 2:
                    keys.add("p:" + _skeleton(toks[-2] + toks[-1]))
            continue
        if is_acronym(n):
            acr = _acronym_key(n)
            keys.update(("a:" + acr, "a3:" + acr[:3]))
            continue
        toks = tuple(t.rstrip("s") or t for t in _content(_key_tokens(n)))  # plurals
        keys.update("t:" + _skeleton(t) for t in toks if t not in _GENERIC_KEY)
        if len(toks) >= 2:
            keys.add("t:" + _skeleton("".join(toks)))
        for ini in initials(n):
            if len(ini) >= 2:
                keys.update(("a:" + ini, "a3:" + ini[:3]))
    return frozenset(keys)
