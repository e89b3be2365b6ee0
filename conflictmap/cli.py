"""The ``conflictmap`` command: a thin layer that parses arguments, calls the library, prints."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conflictmap.config import Settings
from conflictmap.errors import ConflictmapError
from conflictmap.ingest.readers import ReadError, discover, iter_documents, read_stream

console = Console()
errors = Console(stderr=True)

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"'{value}' is not a date (use YYYY-MM-DD)") from error


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class Context:
    def __init__(self, db: str, model: str) -> None:
        self.db = db
        self.model = model

    def store(self):  # noqa: ANN201 - imported lazily to keep --help fast
        from conflictmap.store.repository import Store

        return Store(self.db)

    def extractor(self):  # noqa: ANN201
        from conflictmap.extract.pipeline import Extractor

        with errors.status(f"Loading {self.model} and the gazetteer..."):
            return Extractor(self.model)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="CONFLICTMAP_DB",
    default=lambda: Settings().db,
    show_default="conflictmap.db",
    help="SQLite file or SQLAlchemy URL of the store.",
)
@click.option(
    "--model",
    envvar="CONFLICTMAP_MODEL",
    default=lambda: Settings().model,
    show_default="en_core_web_md",
    help="Installed spaCy pipeline to extract with.",
)
@click.version_option(package_name="conflictmap")
@click.pass_context
def cli(ctx: click.Context, db: str, model: str) -> None:
    """Turn news reports about armed conflict into a sourced, time-aware knowledge graph.

    \b
    Example:
        conflictmap ingest examples/
        conflictmap actors
        conflictmap actor "Ansar Dine"
    """
    ctx.obj = Context(db, model)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except ConflictmapError as error:
        errors.print(f"[red]error:[/red] {escape(str(error))}")
        sys.exit(EXIT_ERROR)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--date", "default_date", callback=_date, help="Date for documents without one (YYYY-MM-DD)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Extract in this process, or on a pool of Ray workers (pip install conflictmap[ray]).",
)
@click.option(
    "--address",
    help="Ray cluster to join (default: $RAY_ADDRESS; 'auto': the cluster this machine is in). "
    "Without one, --engine ray starts Ray on this machine.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Ray workers, one CPU and one loaded model each (default: every CPU of the cluster).",
)
@click.pass_obj
def ingest(
    obj: Context,
    paths: tuple[Path, ...],
    default_date: date | None,
    as_json: bool,
    engine: str,
    address: str | None,
    workers: int | None,
) -> None:
    """Read reports (.txt, .html, .jsonl, RSS/Atom; files or folders) into the store.

    Exact duplicates are skipped, near-duplicates stored as "duplicate of", bad files
    reported with the reason while the rest goes on. Running it again adds nothing.
    With --engine ray, extraction runs on Ray workers; reading, duplicate checks and
    every write stay in this process, in input order, so the store is the same.

    \b
    Example:
        conflictmap ingest examples/ --date 2012-07-20
        conflictmap --db mali.db ingest feeds/*.xml reports/
        conflictmap ingest --engine ray --workers 2 examples/
        conflictmap ingest --engine ray --address auto reports/   # on a Ray cluster
    """
    from conflictmap.ingest.run import ingest_documents

    if engine == "local" and (address or workers):
        raise click.UsageError("--address and --workers go with --engine ray")
    store = obj.store()
    files = discover(paths)
    with _engine(obj, engine, address, workers) as extractor, _progress(as_json) as progress:
        task = progress.add_task("Ingesting", total=None)

        def advance(_doc_id: str) -> None:
            progress.advance(task)

        report = ingest_documents(
            iter_documents(files, default_date),
            store,
            extractor,
            advance,
            streaming=engine == "ray",
        )
    if as_json:
        _print_json({**report.summary(), "errors": [str(e) for e in report.failed]})
    else:
        _print_ingest_report(report, store)
    sys.exit(EXIT_OK if report.ok else EXIT_PARTIAL)


@contextmanager
def _engine(obj: Context, engine: str, address: str | None, workers: int | None) -> Iterator[Any]:
    """The local ``Extractor``, or a ``RayExtractor`` stopped on the way out."""
    if engine == "local":
        yield obj.extractor()
        return
    from conflictmap.scale.ray_engine import RayExtractor, import_ray

    import_ray()  # fails first, with the install command, when Ray is missing
    with errors.status(f"Starting Ray workers, each loading {obj.model}..."):
        ray_engine = RayExtractor(obj.model, workers=workers, address=address)
    with ray_engine:
        yield ray_engine


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        disable=quiet or not errors.is_terminal,
        transient=True,
    )


LISTED = 20  # skipped documents and near-duplicates listed by name; every failure is


def _more(count: int, what: str) -> None:
    if count > LISTED:
        console.print(f"  ... and {count - LISTED} more {what}", style="dim")


def _print_ingest_report(report: Any, store: Any) -> None:
    summary = report.summary()
    console.print(
        f"[bold]{summary['stored']}[/bold] stored, {summary['near_duplicates']} near-duplicates, "
        f"{summary['skipped']} skipped as already stored, [bold]{summary['failed']}[/bold] failed"
    )
    for doc_id, reason in report.skipped[:LISTED]:
        console.print(f"  skipped {escape(doc_id)}: {escape(reason)}", style="dim")
    _more(len(report.skipped), "skipped")
    for doc_id, original in report.near_duplicates[:LISTED]:
        console.print(f"  {escape(doc_id)} is a near-duplicate of {escape(original)}", style="dim")
    _more(len(report.near_duplicates), "near-duplicates")
    for error in report.failed:
        errors.print(f"  [red]failed[/red] {escape(str(error))}")
    totals = store.stats()
    console.print(
        f"Store: {totals['documents']} documents, {totals['entities']} entities, "
        f"{totals['relations']} relations, {totals['events']} events"
    )


@cli.command()
@click.argument("inputs", nargs=-1, type=str)
@click.option("--jsonl", is_flag=True, default=True, help="One JSON object per document (default).")
@click.option("--date", "default_date", callback=_date, help="Date for documents without one.")
@click.pass_obj
def extract(obj: Context, inputs: tuple[str, ...], jsonl: bool, default_date: date | None) -> None:
    """Extract entities, relations and events without storing; print JSON lines.

    Reads files, folders, or JSONL from standard input with `-` (lines of
    {"id", "text", "date"}, optionally "toponyms": [{"start", "end"}] to resolve only
    those spans). The format is described in docs/extraction-format.md.

    \b
    Example:
        conflictmap extract examples/mali/2012-04-02_kidal_gao_timbuktu.txt
        echo '{"id": "a", "text": "Rebels seized Gao.", "date": "2012-04-01"}' \
            | conflictmap extract -
    """
    extractor = obj.extractor()
    failed = False
    for item in _extract_inputs(inputs, default_date):
        if isinstance(item, ReadError):
            errors.print(f"[red]failed[/red] {escape(str(item))}")
            failed = True
            continue
        document, toponyms = item
        result = extractor.extract(
            document.text,
            doc_id=document.id,
            document_date=document.date,
            toponyms=toponyms,
            source=document.source,
        )
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    sys.exit(EXIT_PARTIAL if failed else EXIT_OK)


def _extract_inputs(inputs: tuple[str, ...], default_date: date | None):  # noqa: ANN202
    from conflictmap.ingest.run import with_text_date

    stdin = not inputs or inputs == ("-",)
    if stdin:
        lines = sys.stdin.read().splitlines()
        toponyms = _toponyms_by_line(lines)
        for number, item in enumerate(read_stream_lines(lines, default_date)):
            yield item if isinstance(item, ReadError) else (item, toponyms.get(number))
        return
    for item in iter_documents(discover([Path(i) for i in inputs]), default_date):
        yield item if isinstance(item, ReadError) else (with_text_date(item), None)


def read_stream_lines(lines: list[str], default_date: date | None):  # noqa: ANN201
    import io

    return read_stream(io.StringIO("\n".join(lines) + "\n"), "<stdin>", default_date)


def _toponyms_by_line(lines: list[str]) -> dict[int, list[tuple[int, int]]]:
    """Toponym spans of each document line, keyed by the document's position in the input."""
    found: dict[int, list[tuple[int, int]]] = {}
    position = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            position += 1  # the reader reports this line as an error item: keep counting
            continue
        if isinstance(record, dict) and isinstance(record.get("toponyms"), list):
            # the reader strips leading whitespace from the text: shift the spans with it
            text = record.get("text") if isinstance(record.get("text"), str) else ""
            shift = len(text) - len(text.lstrip())
            found[position] = [
                (int(t["start"]) - shift, int(t["end"]) - shift)
                for t in record["toponyms"]
                if isinstance(t, dict) and "start" in t and "end" in t
            ]
        position += 1
    return found


@cli.command()
@click.option("--type", "entity_type", help="PERSON, ORGANIZATION, ARMED_GROUP or STATE_FORCE.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def actors(obj: Context, entity_type: str | None, limit: int, as_json: bool) -> None:
    """List actors, most mentioned first.

    \b
    Example:
        conflictmap actors --type ARMED_GROUP
    """
    rows = obj.store().actors(entity_type, limit)
    if as_json:
        _print_json(rows)
        return
    table = Table("Actor", "Type", "Aliases", "Mentions", title="Actors")
    for row in rows:
        table.add_row(
            escape(row["name"]),
            row["type"],
            escape(", ".join(row["aliases"])),
            str(row["mentions"]),
        )
    console.print(table)


@cli.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def actor(obj: Context, name: str, as_json: bool) -> None:
    """Profile of one actor or place: aliases, relations over time with evidence, events.

    \b
    Example:
        conflictmap actor "Ansar Dine"
        conflictmap actor AQIM --json
    """
    profile = obj.store().entity(name)
    if as_json:
        _print_json(profile)
        return
    print_profile(profile)


def print_profile(profile: dict) -> None:
    """An entity as an analyst reads it: who, what it is tied to and since when, and why."""
    console.rule(f"[bold]{escape(profile['name'])}[/bold]  {profile['type']}")
    if profile["aliases"]:
        console.print("Also known as: " + escape(", ".join(profile["aliases"])))
    if profile["geo"]:
        geo = profile["geo"]
        console.print(
            f"GeoNames {geo['geonameid']}  {geo['latitude']:.4f}, {geo['longitude']:.4f}  "
            f"({geo['country_code']}, precision {geo['precision']})"
        )
    console.print(f"{profile['mentions']} mentions in {profile['documents']} documents")
    if profile["relations"]:
        console.print("\n[bold]Relations[/bold]")
    for rel in profile["relations"]:
        span = " ".join(
            part
            for part in (_when("from", rel["valid_from"]), _when("until", rel["valid_to"]))
            if part
        )
        console.print(
            f"• [bold]{escape(rel['subject'])}[/bold] {rel['predicate']} "
            f"[bold]{escape(rel['object'])}[/bold] {span}"
        )
        _print_evidence(rel["evidence"])
    if profile["events"]:
        console.print("\n[bold]Events[/bold]")
        print_events(profile["events"])


def _when(word: str, value: dict | None) -> str:
    if value is None:
        return ""
    return escape(f"{word} {value['date']} (“{value['text']}”, {value['precision']})")


def _print_evidence(evidence: dict) -> None:
    console.print(f"    [italic]“{escape(evidence['sentence'])}”[/italic]", style="dim")
    console.print(f"    — {_source(evidence)}", style="dim")


def _source(evidence: dict) -> str:
    attribution = evidence["attribution"]
    parts = [attribution["kind"]]
    if attribution["phrase"]:
        parts[0] += f" (“{attribution['phrase']}”)"
    if evidence["hedged"]:
        parts.append("hedged")
    if evidence["negated"]:
        parts.append("NEGATED")
    document = evidence.get("document_title") or evidence["document_id"]
    outlet = ", ".join(x for x in (evidence.get("source"), evidence.get("published")) if x)
    parts.append(f"{document}" + (f" [{outlet}]" if outlet else ""))
    return escape("; ".join(parts))


def print_events(rows: list[dict]) -> None:
    for row in rows:
        who = ", ".join(row["actors"]) or "unidentified actor"
        target = f" against {', '.join(row['targets'])}" if row["targets"] else ""
        deaths = f", {row['fatalities']} killed" if row["fatalities"] is not None else ""
        amount = f", {row['amount']}" if row["amount"] else ""
        place = row["location"] or "unknown place"
        console.print(
            f"• {row['date'] or '?'} ({row['date_precision'] or '?'})  "
            f"[bold]{escape(row['sub_event_type'])}[/bold] ({escape(row['event_type'])}): "
            f"{escape(who)}{escape(target)} at {escape(place)}{escape(deaths + amount)}"
        )
        _print_evidence(row["evidence"])


@cli.command()
@click.option("--type", "event_type", help="ACLED event type or sub-event type, e.g. 'Battles'.")
@click.option("--place", help="Place name or alias.")
@click.option("--actor", "actor_name", help="Actor name or alias.")
@click.option("--since", callback=_date, help="Events on or after this date (YYYY-MM-DD).")
@click.option("--until", callback=_date, help="Events on or before this date (YYYY-MM-DD).")
@click.option("--limit", type=int, default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def events(
    obj: Context,
    event_type: str | None,
    place: str | None,
    actor_name: str | None,
    since: date | None,
    until: date | None,
    limit: int,
    as_json: bool,
) -> None:
    """List events, newest first, with filters.

    \b
    Example:
        conflictmap events --type Battles --since 2012-06-01 --until 2012-07-31
        conflictmap events --place Gao --json
    """
    rows = obj.store().events(event_type, place, since, until, actor_name, limit)
    if as_json:
        _print_json(rows)
        return
    print_events(rows)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def documents(obj: Context, as_json: bool) -> None:
    """List stored documents with their date, its origin, source and duplicate status.

    \b
    Example:
        conflictmap documents --json
    """
    rows = obj.store().documents()
    if as_json:
        _print_json(rows)
        return
    table = Table("Id", "Date", "Date from", "Source", "Title", "Duplicate of", title="Documents")
    for row in rows:
        table.add_row(
            *(
                escape(str(row[k] or ""))
                for k in ("id", "date", "date_origin", "source", "title", "duplicate_of")
            )
        )
    console.print(table)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "acled-csv", "stix", "graphml", "gexf", "geojson"]),
    default="json",
    show_default=True,
    help="json: the full graph; acled-csv: ACLED columns; stix: STIX 2.1 bundle; "
    "graphml, gexf: for Gephi; geojson: events and places.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="File to write (default stdout)."
)
@click.pass_obj
def export(obj: Context, fmt: str, output: Path | None) -> None:
    """Export the whole graph: documents, entities, relations, events, with evidence.

    Every format records the corpus, model and code version it came from (an ACLED CSV
    in FILE.snapshot.json beside it). The mappings are described in docs/exports.md.

    \b
    Example:
        conflictmap export --format json -o graph.json
        conflictmap export --format acled-csv -o events.csv
        conflictmap export --format stix -o bundle.json
        conflictmap export --format gexf -o graph.gexf
    """
    from conflictmap.export import render, write

    store = obj.store()
    if output is None:
        click.echo(render(store, fmt))
        return
    for path in write(store, fmt, output):
        errors.print(f"wrote {path}")


@cli.command()
@click.argument("folder", default="examples", type=click.Path(path_type=Path, exists=True))
@click.option("--profiles", default=3, show_default=True, help="How many armed groups to profile.")
@click.option("--serve", "then_serve", is_flag=True, help="Then open the workbench on the store.")
@click.option("--port", default=8765, show_default=True, help="The workbench's port (--serve).")
@click.pass_obj
def demo(obj: Context, folder: Path, profiles: int, then_serve: bool, port: int) -> None:
    """Ingest the bundled examples, then print a summary and the main actors' profiles
    (and, with --serve, run the workbench on them at http://127.0.0.1:PORT/).

    \b
    Example:
        conflictmap --db demo.db demo examples/ --serve
    """
    from conflictmap.ingest.run import ingest_documents

    store, extractor = obj.store(), obj.extractor()
    with _progress(False) as progress:
        task = progress.add_task("Ingesting", total=None)
        report = ingest_documents(
            iter_documents(discover([folder])), store, extractor, lambda _: progress.advance(task)
        )
    _print_ingest_report(report, store)
    actors_rows = store.actors(limit=15)
    table = Table("Actor", "Type", "Aliases", "Mentions", title="Main actors")
    for row in actors_rows:
        table.add_row(
            escape(row["name"]),
            row["type"],
            escape(", ".join(row["aliases"])),
            str(row["mentions"]),
        )
    console.print(table)
    for row in store.actors("ARMED_GROUP", limit=profiles):
        print_profile(store.entity(row["id"]))
    if then_serve:
        _run_workbench(obj, "127.0.0.1", port)


@cli.command()
@click.argument("keep")
@click.argument("absorb")
@click.option("--note", help="Why: kept in the audit trail.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@click.pass_obj
def merge(obj: Context, keep: str, absorb: str, note: str | None, as_json: bool) -> None:
    """Merge entity ABSORB into KEEP (names, mentions, relations, events), with an audit record.

    \b
    Example:
        conflictmap merge "Katiba Nour" "Brigade Annour" --note "same unit, two names"
    """
    decision = obj.store().merge(keep, absorb, note)
    _print_decision(decision, as_json)


@cli.command()
@click.argument("entity")
@click.option("--alias", "names", multiple=True, required=True, help="Name to split off.")
@click.option("--note", help="Why: kept in the audit trail.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@click.pass_obj
def split(
    obj: Context, entity: str, names: tuple[str, ...], note: str | None, as_json: bool
) -> None:
    """Split names wrongly merged into ENTITY off into a new entity, with an audit record.

    \b
    Example:
        conflictmap split "Mokhtar Belmokhtar" --alias "Mohamed Belmokhtar" --note "his cousin"
    """
    decision = obj.store().split(entity, list(names), note)
    _print_decision(decision, as_json)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def decisions(obj: Context, as_json: bool) -> None:
    """The audit trail of analysts' merges and splits.

    \b
    Example:
        conflictmap decisions --json
    """
    rows = obj.store().decisions()
    if as_json:
        _print_json(rows)
        return
    table = Table("Id", "When", "Kind", "Entity", "Other", "Names", "Note", title="Decisions")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["created_at"],
            row["kind"],
            str(row["entity_id"]),
            str(row["other_id"]),
            escape("; ".join(row["names"])),
            escape(row["note"] or ""),
        )
    console.print(table)


def _print_decision(decision: dict, as_json: bool) -> None:
    if as_json:
        _print_json(decision)
        return
    verb = "merged into" if decision["kind"] == "merge" else "split off from"
    console.print(
        f"{escape(', '.join(decision['names']))} {verb} entity {decision['entity_id']} "
        f"(decision {decision['id']})"
    )


# --- time-aware views: control, incidents, contradictions --------------------------------


@cli.command()
@click.argument("place")
@click.option("--at", "when", callback=_date, help="Only who held it on this date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def control(obj: Context, place: str, when: date | None, as_json: bool) -> None:
    """Who controlled a place, when, on what evidence.

    \b
    Example:
        conflictmap control Gao
        conflictmap control Gao --at 2012-07-01
    """
    from conflictmap.graph import control_timeline

    spans = control_timeline(obj.store().export(), place)
    if when is not None:
        spans = [s for s in spans if s.holds(when)]
    empty = f"No control of {escape(place)} on record" + (f" on {when}" if when else "")
    _print_spans(spans, as_json, empty)


def _print_spans(spans: list, as_json: bool, empty: str) -> None:
    """Who held a place or led a group from when to when, each span with its evidence."""
    if as_json:
        _print_json([s.to_dict() for s in spans])
        return
    if not spans:
        console.print(empty)
    for span in spans:
        until = span.end.isoformat() if span.end else "open"
        console.print(f"• [bold]{escape(span.actor)}[/bold]  {span.start} -> {until}")
        for evidence in span.evidence:
            _print_evidence(evidence)


@cli.command()
@click.argument("group")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def leaders(obj: Context, group: str, as_json: bool) -> None:
    """Who led a group, when: its leadership succession, with the evidence.

    \b
    Example:
        conflictmap leaders "Ansar Dine"
    """
    from conflictmap.graph import leadership

    spans = leadership(obj.store().export(), group)
    _print_spans(spans, as_json, f"No leader of {escape(group)} on record")


@cli.command()
@click.option("--as-of", "when", callback=_date, required=True, help="The date (YYYY-MM-DD).")
@click.option("--actor", "actor_name", help="Only relations of this actor.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def relations(obj: Context, when: date, actor_name: str | None, as_json: bool) -> None:
    """The relations that held on a date, as far as the reports say.

    \b
    Example:
        conflictmap relations --as-of 2012-07-01
        conflictmap relations --as-of 2012-07-01 --actor MUJAO
    """
    from conflictmap.graph import relations_at

    rows = relations_at(obj.store().export(), when, actor_name)
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        bounds = " ".join(
            w for w in (_when("from", row["valid_from"]), _when("until", row["valid_to"])) if w
        )
        console.print(
            f"• {escape(row['subject'])} [bold]{row['predicate']}[/bold] "
            f"{escape(row['object'])} {bounds}".rstrip()
        )
        _print_evidence(row["evidence"])


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_graph(obj: Context, path: Path) -> None:
    """Load a JSON export (`conflictmap export --format json`) into an empty store.

    \b
    Example:
        conflictmap --db copy.db import graph.json
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConflictmapError(f"{path}: not a readable JSON file: {exc}") from exc
    counts = obj.store().import_graph(data)
    console.print(", ".join(f"{n} {what}" for what, n in counts.items()) + f" imported from {path}")


@cli.group()
def network() -> None:
    """The actor network: centrality, communities, links between two actors, ego networks.

    \b
    Example:
        conflictmap network central --as-of 2012-07-01
        conflictmap network path "Iyad Ag Ghaly" AQIM
    """


@network.command("central")
@click.option("--as-of", "when", callback=_date, help="The network on this date.")
@click.option("--top", type=int, default=10, show_default=True)
@click.option("--by", type=click.Choice(["degree", "betweenness", "pagerank"]), default="degree")
@click.pass_obj
def network_central(obj: Context, when: date | None, top: int, by: str) -> None:
    """The most central actors (JSON).

    \b
    Example:
        conflictmap network central --by betweenness
    """
    from conflictmap.network import centrality

    _print_json(centrality(obj.store().export(), when, top, by))


@network.command("communities")
@click.option("--as-of", "when", callback=_date, help="The network on this date.")
@click.option("--allies", is_flag=True, help="Only cooperation links (camps), not fighting.")
@click.pass_obj
def network_communities(obj: Context, when: date | None, allies: bool) -> None:
    """Groups of closely linked actors, largest first (JSON).

    \b
    Example:
        conflictmap network communities --allies
    """
    from conflictmap.network import communities

    _print_json(communities(obj.store().export(), when, hostile=not allies))


@network.command("path")
@click.argument("source")
@click.argument("target")
@click.option("--as-of", "when", callback=_date, help="The network on this date.")
@click.pass_obj
def network_path(obj: Context, source: str, target: str, when: date | None) -> None:
    """How one actor is linked to another, hop by hop with evidence (JSON).

    \b
    Example:
        conflictmap network path "Iyad Ag Ghaly" AQIM
    """
    from conflictmap.network import link_path

    _print_json(link_path(obj.store().export(), source, target, when))


@network.command("ego")
@click.argument("actor")
@click.option("--as-of", "when", callback=_date, help="The network on this date.")
@click.option("--radius", type=int, default=1, show_default=True)
@click.pass_obj
def network_ego(obj: Context, actor: str, when: date | None, radius: int) -> None:
    """An actor's neighbours and the links among them, with evidence (JSON).

    \b
    Example:
        conflictmap network ego MUJAO --as-of 2012-07-01
    """
    from conflictmap.network import ego_network

    _print_json(ego_network(obj.store().export(), actor, when, radius))


@cli.command()
@click.option("--all", "show_all", is_flag=True, help="Also incidents with a single report.")
@click.option("--split", "split_event", type=int, help="Take this event id out of its incident.")
@click.option("--note", help="Why (with --split).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def incidents(
    obj: Context, show_all: bool, split_event: int | None, note: str | None, as_json: bool
) -> None:
    """Events merged across reports, each with every report as a witness.

    \b
    Example:
        conflictmap incidents
        conflictmap incidents --all --json
        conflictmap incidents --split 42 --note "a second ambush, not the same one"
    """
    from conflictmap.fuse import incidents as find_incidents

    if split_event is not None:
        obj.store().split_incident(split_event, note)
        console.print(f"event {split_event} now stands alone")
        return
    graph = obj.store().export()
    documents = {d["id"]: d for d in graph["documents"]}
    found = [i for i in find_incidents(graph) if show_all or len(i.witnesses) > 1]
    rows = [i.to_dict(documents) for i in found]
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        tolls = "; ".join(f"{k} ({', '.join(v)})" for k, v in row["fatalities"].items())
        console.print(
            f"• {row['start']} [bold]{escape(row['event_type'])}[/bold] at "
            f"{escape(row['location'] or '?')}: {escape(', '.join(row['actors']) or '?')}"
            + (f", tolls {escape(tolls)}" if tolls else "")
            + f"  [{escape(row['confidence']['explanation'])}]"
        )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def contradictions(obj: Context, as_json: bool) -> None:
    """Where reports disagree: who held a place, or how many died.

    \b
    Example:
        conflictmap contradictions
    """
    from conflictmap.graph import contradictions as find_contradictions

    rows = find_contradictions(obj.store().export())
    if as_json:
        _print_json(rows)
        return
    for row in rows:
        if row["kind"] == "control":
            actors = dict.fromkeys(c["actor"] for c in row["claims"])
            who = " vs ".join(escape(a) for a in actors)
            console.print(f"• control of [bold]{escape(row['place'])}[/bold]: {who}")
            for claim in row["claims"]:
                _print_evidence(claim["evidence"])
        else:
            tolls = "; ".join(f"{k} ({', '.join(v)})" for k, v in row["fatalities"].items())
            console.print(
                f"• toll of the {escape(row['event_type'])} at {escape(row['location'] or '?')}"
                f" on {row['start']}: {escape(tolls)}"
            )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow binding a non-loopback address (the read endpoints need no token).",
)
@click.option(
    "--tiles",
    metavar="URL",
    help="An online raster tile layer the map may show over its offline basemap, "
    "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png (off by default).",
)
@click.pass_obj
def serve(obj: Context, host: str, port: int, allow_remote: bool, tiles: str | None) -> None:
    """Serve the workbench (http://127.0.0.1:8765/) and its REST API (JSON, OpenAPI at
    /openapi.json) on the store.

    Reads are open; writes (POST /api/ingest, /api/entities/merge, /api/entities/split)
    need `Authorization: Bearer $CONFLICTMAP_TOKEN`, and are refused when it is unset.

    \b
    Example:
        conflictmap serve
        CONFLICTMAP_TOKEN=s3cret conflictmap --db mali.db serve --port 9000
    """
    _run_workbench(obj, host, port, allow_remote, tiles)


def _run_workbench(
    obj: Context, host: str, port: int, allow_remote: bool = False, tiles: str | None = None
) -> None:
    import ipaddress
    import os

    loopback = host == "localhost"
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
        except ValueError:
            loopback = False
    if not loopback and not allow_remote:
        errors.print(
            f"[red]error:[/red] refusing to bind {escape(host)}: it is not a loopback address, "
            "and every read endpoint is open to whoever can reach it. "
            "Pass --allow-remote to do it anyway."
        )
        sys.exit(EXIT_ERROR)
    import uvicorn

    from conflictmap.web import create_app
    from conflictmap.web.api import limit_malloc_arenas

    limit_malloc_arenas()  # before uvicorn starts its threads: memory stays flat under load
    hosts = ["127.0.0.1", "localhost", "[::1]", "::1"] if loopback else None
    app = create_app(obj.db, model=obj.model, allowed_hosts=hosts, tiles=tiles, warm=True)
    if not os.environ.get("CONFLICTMAP_TOKEN"):
        errors.print("CONFLICTMAP_TOKEN is not set: the workbench is read-only.")
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    errors.print(f"The workbench: http://{shown}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(app, host=host.strip("[]"), port=port, log_level="warning")


if __name__ == "__main__":
    main()
