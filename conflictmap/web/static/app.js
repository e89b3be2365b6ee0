// The conflictmap workbench: map, actor network, timeline, documents and evidence, over the
// REST API of `conflictmap serve`. Every text from reports is untrusted: it only ever enters
// the page through textContent or DOM nodes, never as HTML.
"use strict";

const EVENT_COLOURS = {
  "Battles": "#d7301f",
  "Explosions/Remote violence": "#ff8c00",
  "Violence against civilians": "#8e0152",
  "Protests": "#1f78b4",
  "Riots": "#6a3d9a",
  "Strategic developments": "#4d4d4d",
};
const TYPE_COLOURS = {
  ARMED_GROUP: "#d7301f", STATE_FORCE: "#1f78b4", PERSON: "#33a02c",
  ORGANIZATION: "#6a3d9a", LOCATION: "#b15928", UNKNOWN: "#888888",
};
const HOSTILE = new Set(["fights", "fought"]);
const PALETTE = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
  "#f781bf", "#17becf", "#bcbd22", "#666666"];
const DAY = 86400000;

const state = {
  config: null,
  events: null,        // GeoJSON of every placed event
  days: [],            // [first, last] event date, as Date
  asOf: null,          // ISO date of the slider
  map: null,
  cy: null,
  view: "map",
  holders: new Map(),  // actor -> colour, stable for the session
};
window.conflictmap = state; // for the browser tests and the curious

// --- small helpers --------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && body.detail ? JSON.stringify(body.detail) : response.statusText;
    throw new Error(`${response.status}: ${detail}`);
  }
  return body;
}

function status(message, isError = false) {
  const node = document.getElementById("status");
  node.textContent = message;
  node.classList.toggle("error", isError);
  if (message && !isError) setTimeout(() => { if (node.textContent === message) node.textContent = ""; }, 4000);
}

function iso(date) { return date.toISOString().slice(0, 10); }
function shiftDays(isoDate, days) { return iso(new Date(Date.parse(isoDate) + days * DAY)); }

function colourOf(actor) {
  if (!state.holders.has(actor)) state.holders.set(actor, PALETTE[state.holders.size % PALETTE.length]);
  return state.holders.get(actor);
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

function entityLink(name, id) {
  return id ? el("a", { href: `#/entity/${id}`, text: name }) : el("span", { text: name });
}

// --- evidence -------------------------------------------------------------------------------

// A sentence with its mentions (and the event's trigger) marked, built from text nodes.
function markedSentence(evidence, { self = null, trigger = null } = {}) {
  const sentence = evidence.sentence || "";
  const marks = (evidence.highlights || []).map((h) => ({ ...h, kind: h.entity_id === self ? "self" : "mention" }));
  if (trigger) {
    const at = sentence.toLowerCase().indexOf(trigger.toLowerCase());
    if (at >= 0) marks.push({ start: at, end: at + trigger.length, kind: "trigger" });
  }
  marks.sort((a, b) => a.start - b.start || b.end - a.end);
  const quote = el("blockquote", { class: "sentence" });
  let cursor = 0;
  for (const mark of marks) {
    if (mark.start < cursor || mark.end > sentence.length) continue; // overlapping: keep the first
    quote.append(sentence.slice(cursor, mark.start));
    const attrs = { class: mark.kind, text: sentence.slice(mark.start, mark.end) };
    if (mark.entity_id) attrs.title = `entity ${mark.entity_id}`;
    quote.append(el("mark", attrs));
    cursor = mark.end;
  }
  quote.append(sentence.slice(cursor));
  return quote;
}

function evidenceCard(evidence, options = {}) {
  if (!evidence) return el("p", { class: "muted", text: "No evidence recorded." });
  const attribution = evidence.attribution || {};
  const grade = evidence.grade && (evidence.grade.code || evidence.grade);
  const flags = [evidence.hedged && "hedged", evidence.negated && "negated or denied"].filter(Boolean);
  return el("div", { class: "evidence" },
    markedSentence(evidence, options),
    el("p", { class: "source" },
      el("a", { href: `#/document/${encodeURIComponent(evidence.document_id)}`, text: evidence.document_title || evidence.document_id }),
      " — ", evidence.source || "unknown outlet", evidence.published ? `, ${evidence.published}` : ""),
    el("p", { class: "attribution" },
      el("span", { class: "kind", text: (attribution.kind || "unattributed").replaceAll("_", " ") }),
      attribution.phrase ? el("span", { class: "phrase", text: ` “${attribution.phrase}”` }) : null,
      grade ? el("span", { class: "grade", title: "Admiralty grade: source reliability A-F, credibility 1-6", text: grade }) : null,
      flags.length ? el("span", { class: "flag", text: flags.join(", ") }) : null));
}

function when(value) {
  if (!value) return "?";
  return value.date ? `${value.date} (“${value.text}”)` : String(value);
}

// --- panel pages ----------------------------------------------------------------------------

function showPanel(...children) {
  const panel = document.getElementById("panel");
  panel.replaceChildren(...children);
  panel.scrollTop = 0;
}

async function showEvent(id) {
  const event = await api(`/api/events/${id}`);
  const actors = (names) => names.length ? names.map((n, i) => [i ? ", " : "", el("span", { class: "actor", text: n })]) : "—";
  const facts = el("dl", { class: "facts" },
    el("dt", { text: "Type" }), el("dd", { text: `${event.event_type} / ${event.sub_event_type}` + (event.plover ? ` (PLOVER ${event.plover})` : "") }),
    el("dt", { text: "Date" }), el("dd", { text: `${event.date || "?"}${event.date_end && event.date_end !== event.date ? ` to ${event.date_end}` : ""} (${event.date_precision || "?"}, “${event.date_text || ""}”)` }),
    el("dt", { text: "Place" }), el("dd", {}, event.location ? entityLink(event.location, event.location_id) : "—",
      event.latitude != null ? el("span", { class: "muted", text: ` ${event.latitude.toFixed(3)}, ${event.longitude.toFixed(3)} (precision ${event.geo_precision})` }) : null),
    el("dt", { text: "Actors" }), el("dd", {}, actors(event.actors), event.actor_phrase ? ` (${event.actor_phrase})` : ""),
    el("dt", { text: "Targets" }), el("dd", {}, actors(event.targets), event.target_phrase ? ` (${event.target_phrase})` : ""),
    el("dt", { text: "Fatalities" }), el("dd", { text: event.fatalities ?? "not reported" }),
    event.historical ? [el("dt", { text: "Note" }), el("dd", { text: "recalled as past background" })] : null);
  const parts = [
    el("h2", { class: "event-title", text: `${event.sub_event_type} at ${event.location || "an unresolved place"}` }),
    facts,
    el("h3", { text: "Evidence" }),
    evidenceCard(event.evidence, { trigger: event.trigger }),
  ];
  if (event.incident) parts.push(incidentSection(event.incident, event.id));
  showPanel(...parts);
}

function incidentSection(incident, current) {
  const tolls = Object.entries(incident.fatalities || {});
  const section = el("section", { class: "incident" },
    el("h3", { text: `Reported by ${incident.witnesses.length} reports (${incident.confidence.explanation || ""})` }),
    tolls.length > 1 ? el("p", { class: "conflict", text: "Conflicting tolls: " + tolls.map(([n, outlets]) => `${n} (${outlets.join(", ")})`).join(" vs ") }) : null);
  for (const witness of incident.witnesses) {
    if (witness.event_id === current) continue;
    section.append(el("div", { class: "witness" },
      el("p", {}, el("a", { href: `#/event/${witness.event_id}`, text: `${witness.source || witness.document_id}, ${witness.published || "?"}` }),
        witness.fatalities != null ? ` — toll ${witness.fatalities}` : "",
        witness.grade ? el("span", { class: "grade", text: witness.grade.code }) : null),
      el("blockquote", { class: "sentence", text: witness.sentence })));
  }
  return section;
}

async function showEntity(id) {
  const entity = await api(`/api/entities/${id}`);
  const parts = [
    el("h2", { class: "entity-title", text: entity.name }),
    el("p", { class: "muted" }, el("span", { class: "type", text: entity.type }),
      ` · ${entity.mentions} mentions in ${entity.documents} documents`,
      entity.geo ? ` · ${entity.geo.latitude.toFixed(3)}, ${entity.geo.longitude.toFixed(3)} (GeoNames ${entity.geo.geonameid}, ${entity.geo.feature})` : ""),
    entity.aliases.length ? el("p", {}, "Also called: ", entity.aliases.join("; ")) : null,
    el("p", {}, el("button", { type: "button", class: "link", onclick: () => { location.hash = `#/network?ego=${encodeURIComponent(entity.name)}`; }, text: "Ego network" }),
      " ", el("button", { type: "button", class: "link", onclick: () => { location.hash = `#/timeline?actor=${encodeURIComponent(entity.name)}`; }, text: "Timeline" })),
  ];
  if (entity.control.length) parts.push(spansSection("Who controlled it", entity.control, entity.id));
  if (entity.leaders.length) parts.push(spansSection("Leaders", entity.leaders, entity.id));
  if (entity.contradictions.length) parts.push(contradictionsSection(entity.contradictions));
  const counted = (shown, total) => (total > shown ? `${shown} of ${total}` : `${shown}`);
  parts.push(el("h3", { text: `Relations (${counted(entity.relations.length, entity.relations_total)})` }));
  for (const relation of entity.relations) {
    const span = [relation.valid_from && `from ${when(relation.valid_from)}`, relation.valid_to && `until ${when(relation.valid_to)}`].filter(Boolean).join(" ");
    parts.push(el("div", { class: "relation" },
      el("p", { class: "claim" }, entityLink(relation.subject, relation.subject_id), ` ${relation.predicate.replaceAll("_", " ")} `,
        entityLink(relation.object, relation.object_id), span ? el("span", { class: "muted", text: ` ${span}` }) : null),
      evidenceCard(relation.evidence, { self: entity.id })));
  }
  parts.push(el("h3", { text: `Events (${counted(entity.events.length, entity.events_total)}, newest first)` }));
  for (const event of entity.events) {
    parts.push(el("div", { class: "relation" },
      el("p", { class: "claim" }, el("a", { href: `#/event/${event.id}`, text: `${event.date || "?"} · ${event.sub_event_type}` }),
        ` at ${event.location || "?"}`, event.fatalities != null ? ` · ${event.fatalities} killed` : ""),
      evidenceCard(event.evidence, { self: entity.id, trigger: event.trigger })));
  }
  showPanel(...parts);
}

function spansSection(title, spans) {
  return el("section", {},
    el("h3", { text: title }),
    el("ol", { class: "spans" }, spans.map((s) => el("li", {},
      swatch(colourOf(s.actor)), `${s.start} → ${s.end || "onwards"}: `,
      el("strong", { text: s.actor }), el("span", { class: "muted", text: ` (${s.evidence.length} reports)` })))));
}

function contradictionsSection(rows) {
  const section = el("section", { class: "conflict-list" }, el("h3", { text: `Reports disagree (${rows.length})` }));
  for (const row of rows) {
    if (row.kind === "control") {
      section.append(el("p", { class: "conflict", text: `Control of ${row.place}: ` +
        row.claims.map((c) => `${c.actor} since ${c.since} (${c.evidence.source || c.evidence.document_id})`).join(" vs ") }));
    } else {
      section.append(el("p", { class: "conflict", text: `Toll at ${row.location} (${row.start}): ` +
        Object.entries(row.fatalities).map(([n, o]) => `${n} (${o.join(", ")})`).join(" vs ") }));
    }
  }
  return section;
}

async function showDocument(id) {
  const doc = await api(`/api/documents/${encodeURIComponent(id)}`);
  showPanel(
    el("h2", { class: "document-title", text: doc.title || doc.id }),
    el("p", { class: "muted", text: `${doc.source || "unknown outlet"} · ${doc.date || "undated"}${doc.duplicate_of ? ` · near-duplicate of ${doc.duplicate_of}` : ""}` }),
    doc.url ? el("p", { class: "muted", text: doc.url }) : null,
    el("h3", { text: `Events (${doc.events.length})` }),
    el("ol", { class: "links" }, doc.events.map((e) => el("li", {}, el("a", { href: `#/event/${e.id}`, text: `${e.date || "?"} · ${e.sub_event_type} at ${e.location || "?"}` })))),
    el("h3", { text: "Text" }),
    el("pre", { class: "document-text", text: doc.text }));
}

// --- map ------------------------------------------------------------------------------------

async function initMap() {
  if (!window.maplibregl || !window.topojson) {
    document.getElementById("map").append(el("p", { class: "error", text: "The map libraries are missing: run `make setup` (it installs the pinned npm packages)." }));
    return;
  }
  maplibregl.setWorkerUrl("/static/vendor/maplibre-gl-worker.js");
  const atlas = await fetch("/static/vendor/countries-50m.json").then((r) => r.json());
  const countries = topojson.feature(atlas, atlas.objects.countries);
  const borders = topojson.mesh(atlas, atlas.objects.countries, (a, b) => a !== b);
  const style = {
    version: 8,
    sources: {
      countries: { type: "geojson", data: countries },
      borders: { type: "geojson", data: borders },
      events: { type: "geojson", data: state.events },
      control: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
    },
    layers: [
      { id: "sea", type: "background", paint: { "background-color": "#cfe3ef" } },
      { id: "land", type: "fill", source: "countries", paint: { "fill-color": "#f4f1ea", "fill-outline-color": "#b9b2a3" } },
      { id: "borders", type: "line", source: "borders", paint: { "line-color": "#9c9487", "line-width": 0.8 } },
      { id: "control", type: "circle", source: "control", paint: {
        "circle-radius": 16, "circle-color": ["get", "colour"], "circle-opacity": 0.25,
        "circle-stroke-color": ["get", "colour"], "circle-stroke-width": 2.5 } },
      { id: "events", type: "circle", source: "events", paint: {
        "circle-color": ["match", ["get", "event_type"], ...Object.entries(EVENT_COLOURS).flat(), "#999999"],
        "circle-radius": ["interpolate", ["linear"], ["get", "fatalities"], 0, 4, 10, 7, 100, 13, 1000, 20],
        "circle-opacity": 0.85, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 } },
    ],
  };
  if (state.config.tiles) {
    style.sources.online = { type: "raster", tiles: [state.config.tiles], tileSize: 256 };
    style.layers.splice(1, 0, { id: "online", type: "raster", source: "online", layout: { visibility: "none" } });
    const toggle = document.querySelector(".tiles");
    toggle.hidden = false;
    document.getElementById("tiles").addEventListener("change", (e) => {
      state.map.setLayoutProperty("online", "visibility", e.target.checked ? "visible" : "none");
    });
  }
  const map = new maplibregl.Map({ container: "map", style, bounds: eventBounds(), fitBoundsOptions: { padding: 60, maxZoom: 7 }, attributionControl: false });
  state.map = map;
  map.addControl(new maplibregl.NavigationControl(), "top-left");
  map.addControl(new maplibregl.AttributionControl({ customAttribution: "Basemap: Natural Earth (world-atlas)" }));
  const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
  map.on("mousemove", "events", (e) => {
    const p = e.features[0].properties;
    map.getCanvas().style.cursor = "pointer";
    popup.setLngLat(e.lngLat).setDOMContent(el("div", {},
      el("strong", { text: p.sub_event_type }), el("br"), `${p.date} · ${p.location}`,
      p.actors ? [el("br"), p.actors] : null, p.fatalities ? [el("br"), `${p.fatalities} killed`] : null)).addTo(map);
  });
  map.on("mouseleave", "events", () => { map.getCanvas().style.cursor = ""; popup.remove(); });
  map.on("click", (e) => { // an event dot wins over the control ring around it
    const [hit] = map.queryRenderedFeatures(e.point, { layers: ["events", "control"] })
      .sort((a, b) => (a.layer.id === "events" ? 0 : 1) - (b.layer.id === "events" ? 0 : 1));
    if (hit && hit.layer.id === "events") location.hash = `#/event/${hit.properties.id}`;
    else if (hit && hit.properties.place_id) location.hash = `#/entity/${hit.properties.place_id}`;
  });
  await new Promise((resolve) => map.once("load", resolve));
  drawLegend();
  await refreshMap();
}

function eventBounds() {
  const features = state.events.features;
  if (!features.length) return [[-20, -35], [55, 40]];
  let [w, s, e, n] = [180, 90, -180, -90];
  for (const f of features) {
    const [x, y] = f.geometry.coordinates;
    w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y);
  }
  return [[w - 1, s - 1], [e + 1, n + 1]];
}

function drawLegend() {
  const legend = document.getElementById("legend");
  legend.replaceChildren(el("h2", { text: "Event types" }),
    el("ul", { class: "legend" }, Object.entries(EVENT_COLOURS).map(([type, colour]) =>
      el("li", {}, swatch(colour), type))),
    el("p", { class: "muted", text: "Dot size: fatalities. Rings: who holds a place on the date." }),
    el("h2", { text: "Control on the date" }),
    el("ul", { id: "holders", class: "legend" }));
}

function swatch(colour) {
  const node = el("span", { class: "swatch" });
  node.style.background = colour;
  return node;
}

async function refreshMap() {
  if (!state.map || !state.asOf) return;
  const day = state.asOf;
  const windowDays = Number(document.getElementById("window").value);
  const from = windowDays ? shiftDays(day, -windowDays) : "0000";
  const held = await api(`/api/map/control?at=${day}`);
  if (day !== state.asOf) return; // the slider moved on while this was loading
  state.map.setFilter("events", ["all", ["<=", ["get", "date"], day], [">=", ["get", "date"], from]]);
  const features = held.map((p) => ({
    type: "Feature",
    geometry: { type: "Point", coordinates: [p.longitude, p.latitude] },
    properties: { place: p.place, place_id: p.place_id, holders: p.holders.join(" + "), colour: colourOf(p.holders.join(" + ")) },
  }));
  state.map.getSource("control").setData({ type: "FeatureCollection", features });
  const holders = document.getElementById("holders");
  holders.replaceChildren(...held.map((p) => el("li", {}, swatch(colourOf(p.holders.join(" + "))),
    entityLink(p.place, p.place_id), `: ${p.holders.join(" + ")} since ${p.since}`)));
  if (!held.length) holders.append(el("li", { class: "muted", text: "no reported control" }));
  const latest = state.events.features
    .filter((f) => f.properties.date <= day && f.properties.date >= from)
    .sort((a, b) => b.properties.date.localeCompare(a.properties.date) || b.id - a.id).slice(0, 12);
  document.getElementById("latest").replaceChildren(...latest.map((f) => el("li", {},
    el("a", { href: `#/event/${f.properties.id}`, text: `${f.properties.date} · ${f.properties.sub_event_type} · ${f.properties.location}` }))));
  state.map.once("idle", () => { if (day === state.asOf) document.body.dataset.mapDrawn = day; });
  state.map.triggerRepaint();
}

// --- network --------------------------------------------------------------------------------

async function refreshNetwork() {
  if (!window.cytoscape) return;
  const ego = document.getElementById("ego").value.trim();
  const radius = document.getElementById("radius").value;
  const params = new URLSearchParams({ as_of: state.asOf });
  if (ego) { params.set("ego", ego); params.set("radius", radius); }
  const asked = params.toString();
  state.networkAsked = asked;
  const data = await api(`/api/network?${params}`);
  if (state.networkAsked !== asked) return; // a later request supersedes this one
  document.getElementById("network-summary").textContent = ego && !data.ego
    ? `No linked actor called “${ego}” on ${state.asOf}.`
    : `${data.nodes.length} of ${data.total_nodes} actors, ${data.edges.length} of ${data.total_edges} links, on ${state.asOf}`;
  const elements = [
    ...data.nodes.map((n) => ({ data: { ...n, colour: TYPE_COLOURS[n.type] || TYPE_COLOURS.UNKNOWN, size: 18 + Math.min(n.degree, 20) * 2 } })),
    ...data.edges.map((e) => ({ data: { ...e, colour: edgeColour(e.predicate), label: e.predicate.replaceAll("_", " ") } })),
  ];
  if (!state.cy) {
    state.cy = cytoscape({
      container: document.getElementById("network"),
      style: [
        { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", width: "data(size)", height: "data(size)", "font-size": 13, "text-wrap": "wrap", "text-max-width": 140, "text-valign": "bottom", "text-margin-y": 3, "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1 } },
        { selector: "node.ego", style: { "border-width": 4, "border-color": "#111" } },
        { selector: "edge", style: { width: "mapData(reports, 1, 10, 1.5, 6)", "line-color": "data(colour)", "target-arrow-color": "data(colour)", "target-arrow-shape": "triangle", "curve-style": "bezier", "font-size": 9, color: "#333", "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.85 } },
        { selector: "edge.labelled, edge:selected", style: { label: "data(label)" } },
        { selector: ":selected", style: { "overlay-opacity": 0.2 } },
      ],
    });
    state.cy.on("tap", "node", (e) => { if (e.target.data("entity_id")) location.hash = `#/entity/${e.target.data("entity_id")}`; });
    state.cy.on("tap", "edge", (e) => showLink(e.target.data()));
    state.cy.on("mouseover", "node", (e) => e.target.connectedEdges().addClass("labelled"));
    state.cy.on("mouseout", "node", (e) => e.target.connectedEdges().removeClass("labelled"));
    drawNetworkLegend();
  }
  state.cy.elements().remove();
  state.cy.add(elements);
  if (!ego) document.getElementById("actor-names").replaceChildren(...data.nodes.map((n) => el("option", { value: n.label })));
  if (data.ego) state.cy.getElementById(data.ego).addClass("ego");
  state.cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: () => 150000, idealEdgeLength: () => 100, nodeOverlap: 20, gravity: 0.3, componentSpacing: 80, numIter: 1500, padding: 30 }).run();
  document.body.dataset.networkDrawn = String(data.nodes.length);
}

function drawNetworkLegend() {
  const links = { "fights / fought": "fights", "leads, deputy, member": "leader_of", "allied, supports, splinter": "affiliated_with", "other": "located_in" };
  document.getElementById("network-legend").replaceChildren(
    ...Object.entries(TYPE_COLOURS).map(([type, colour]) => el("span", { class: "key" }, swatch(colour), type.replace("_", " ").toLowerCase())),
    ...Object.entries(links).map(([label, predicate]) => el("span", { class: "key" }, line(edgeColour(predicate)), label)),
    el("span", { class: "muted", text: " · hover an actor to name its links, click a link for its evidence" }));
}

function line(colour) {
  const node = el("span", { class: "line" });
  node.style.background = colour;
  return node;
}

function edgeColour(predicate) {
  if (HOSTILE.has(predicate)) return "#d7301f";
  if (["leader_of", "deputy_of", "member_of"].includes(predicate)) return "#1f78b4";
  if (["affiliated_with", "supports", "acted_with", "splinter_of"].includes(predicate)) return "#33a02c";
  return "#999999";
}

function showLink(link) {
  showPanel(
    el("h2", { text: `${link.source} ${link.label} ${link.target}` }),
    el("p", { class: "muted", text: `${link.reports} reports${link.valid_from ? ` · from ${link.valid_from}` : ""}${link.valid_to ? ` · until ${link.valid_to}` : ""}` }),
    ...link.evidence.map((e) => el("div", { class: "evidence" },
      el("blockquote", { class: "sentence", text: e.sentence }),
      el("p", { class: "source" }, e.event_id ? el("a", { href: `#/event/${e.event_id}`, text: "event" }) : null, e.event_id ? " · " : "",
        el("a", { href: `#/document/${encodeURIComponent(e.document_id)}`, text: e.document_title || e.document_id }),
        ` — ${e.source || "?"}, ${e.published || "?"}`, e.grade ? el("span", { class: "grade", text: e.grade }) : null))));
}

// --- timeline -------------------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

async function refreshTimeline() {
  const actor = document.getElementById("timeline-actor").value.trim();
  const params = new URLSearchParams(actor ? { actor } : {});
  const asked = params.toString();
  state.timelineAsked = asked;
  const data = await api(`/api/timeline?${params}`);
  if (state.timelineAsked !== asked) return; // a later request supersedes this one
  const spans = data.spans;
  document.getElementById("timeline-summary").textContent =
    `${data.events.length} of ${data.total_events} events, ${spans.length} of ${data.total_spans} relation spans`;
  const dates = [...data.events.map((e) => e.date), ...spans.flatMap((s) => [s.start, s.end].filter(Boolean))];
  const box = document.getElementById("timeline");
  if (!dates.length) { box.replaceChildren(el("p", { class: "muted", text: "Nothing dated here." })); return; }
  const first = Date.parse(dates.reduce((a, b) => (a < b ? a : b))) - 15 * DAY;
  const last = Date.parse(dates.reduce((a, b) => (a > b ? a : b))) + 15 * DAY;
  const width = Math.max(box.clientWidth - 20, 700), left = 330, right = width - 20;
  const x = (day) => left + ((Date.parse(day) - first) / (last - first)) * (right - left);
  const types = Object.keys(EVENT_COLOURS);
  const rowHeight = 18, eventsTop = 30, spansTop = eventsTop + types.length * rowHeight + 30;
  const height = spansTop + spans.length * rowHeight + 20;
  const chart = svg("svg", { width, height, role: "img", "aria-label": "Timeline of events and relation spans", id: "timeline-chart" });
  const monthWidth = ((right - left) * 30.4 * DAY) / (last - first);
  const every = Math.max(1, Math.ceil(56 / monthWidth)); // months between labels
  for (let t = new Date(first); t.getTime() <= last; t = new Date(t.getFullYear(), t.getMonth() + 1, 1)) {
    const day = iso(new Date(Date.UTC(t.getFullYear(), t.getMonth(), 1)));
    if (Date.parse(day) < first) continue;
    chart.append(svg("line", { x1: x(day), x2: x(day), y1: 20, y2: height, class: "tick" }));
    if (t.getMonth() % every === 0) chart.append(svg("text", { x: x(day) + 2, y: 14, class: "tick-label" }, day.slice(0, 7)));
  }
  if (state.asOf) chart.append(svg("line", { x1: x(state.asOf), x2: x(state.asOf), y1: 20, y2: height, class: "as-of-line" }));
  types.forEach((type, i) => chart.append(svg("text", { x: 4, y: eventsTop + i * rowHeight + 12, class: "row-label" }, type)));
  for (const event of data.events) {
    const row = Math.max(types.indexOf(event.event_type), 0);
    const dot = svg("circle", { cx: x(event.date), cy: eventsTop + row * rowHeight + 8, r: 4 + Math.min(Math.sqrt(event.fatalities || 0), 6), fill: EVENT_COLOURS[event.event_type] || "#999", class: "event-dot", tabindex: 0, "data-id": event.id });
    dot.append(svg("title", {}, `${event.date} · ${event.sub_event_type} · ${event.location || "?"}`));
    dot.addEventListener("click", () => { location.hash = `#/event/${event.id}`; });
    dot.addEventListener("keydown", (e) => { if (e.key === "Enter") location.hash = `#/event/${event.id}`; });
    chart.append(dot);
  }
  chart.append(svg("text", { x: 4, y: spansTop - 8, class: "row-label strong" }, "Relations over time"));
  spans.forEach((span, i) => {
    const y = spansTop + i * rowHeight;
    const end = span.end || iso(new Date(last));
    const label = `${span.subject} ${span.predicate.replaceAll("_", " ")} ${span.object}`;
    chart.append(svg("text", { x: 4, y: y + 12, class: "row-label" }, label.length > 54 ? `${label.slice(0, 52)}…` : label));
    const bar = svg("rect", { x: x(span.start), y: y + 3, width: Math.max(x(end) - x(span.start), 3), height: rowHeight - 6, rx: 3, fill: span.predicate === "controls" ? colourOf(span.subject) : edgeColour(span.predicate), class: span.end ? "span" : "span open" });
    bar.append(svg("title", {}, `${label}: ${span.start} → ${span.end || "onwards"} (${span.reports} reports)`));
    chart.append(bar);
  });
  box.replaceChildren(chart);
  document.body.dataset.timelineDrawn = String(data.events.length);
}

// --- documents, search, ingest ------------------------------------------------------------

async function refreshDocuments(offset = 0) {
  const page = await api(`/api/documents?limit=200&offset=${offset}`);
  const body = document.querySelector("#documents tbody");
  const rows = page.items.map((d) => el("tr", {},
    el("td", { text: d.date || "" }),
    el("td", {}, el("a", { href: `#/document/${encodeURIComponent(d.id)}`, text: d.title || d.id })),
    el("td", { text: d.source || "" }),
    el("td", { text: d.duplicate_of ? "near-duplicate" : "" })));
  if (offset) body.append(...rows); else body.replaceChildren(...rows);
  const shown = offset + page.items.length;
  const more = document.getElementById("documents-more");
  more.hidden = shown >= page.total;
  more.textContent = `Show more (${shown} of ${page.total})`;
  more.onclick = () => refreshDocuments(shown).catch((e) => status(e.message, true));
}

function initSearch() {
  const input = document.getElementById("q");
  const list = document.getElementById("search-results");
  const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); };
  const run = debounce(async () => {
    const q = input.value.trim();
    if (!q) { close(); return; }
    const found = await api(`/api/search?q=${encodeURIComponent(q)}&limit=8`);
    const items = [
      ...found.entities.map((e) => ({ href: `#/entity/${e.id}`, label: e.name, kind: e.type })),
      ...found.places.map((e) => ({ href: `#/entity/${e.id}`, label: e.name, kind: "place" })),
      ...found.documents.map((d) => ({ href: `#/document/${encodeURIComponent(d.id)}`, label: d.title || d.id, kind: "document" })),
    ];
    list.replaceChildren(...(items.length ? items.map((item) => el("li", { role: "option" },
      el("a", { href: item.href, text: item.label, onclick: close }), el("span", { class: "muted", text: ` ${item.kind}` })))
      : [el("li", { class: "muted", text: "nothing found" })]));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }, 200);
  input.addEventListener("input", run);
  input.addEventListener("keydown", (e) => {
    const links = [...list.querySelectorAll("a")];
    if (e.key === "ArrowDown" && links.length) { e.preventDefault(); links[0].focus(); }
    if (e.key === "Escape") close();
  });
  list.addEventListener("keydown", (e) => {
    const links = [...list.querySelectorAll("a")];
    const at = links.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && at < links.length - 1) { e.preventDefault(); links[at + 1].focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
    if (e.key === "Escape") { close(); input.focus(); }
  });
  document.getElementById("search").addEventListener("submit", (e) => {
    e.preventDefault();
    const first = list.querySelector("a");
    if (first) { location.hash = first.getAttribute("href"); close(); }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
      e.preventDefault();
      input.focus();
    }
  });
}

function initIngest() {
  const dialog = document.getElementById("ingest");
  const result = document.getElementById("ingest-result");
  const token = document.getElementById("ingest-token");
  token.value = sessionStorage.getItem("conflictmap-token") || "";
  document.getElementById("ingest-open").addEventListener("click", () => {
    result.textContent = state.config.writable ? "" : "This server has no CONFLICTMAP_TOKEN: it is read-only.";
    dialog.showModal();
  });
  document.getElementById("ingest-cancel").addEventListener("click", () => dialog.close());
  document.getElementById("ingest-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    if (file.size > 1024 * 1024) { result.textContent = `${file.name}: over 1 MB, the server's limit.`; return; }
    document.getElementById("ingest-text").value = await file.text();
    const title = document.getElementById("ingest-title-input");
    if (!title.value) title.value = file.name.replace(/\.[^.]+$/, "");
  });
  document.getElementById("ingest-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { text: document.getElementById("ingest-text").value };
    for (const [key, id] of [["title", "ingest-title-input"], ["date", "ingest-date"], ["source", "ingest-source"]]) {
      const value = document.getElementById(id).value.trim();
      if (value) body[key] = value;
    }
    sessionStorage.setItem("conflictmap-token", token.value);
    result.textContent = "Reading the report…";
    try {
      const done = await api("/api/ingest", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token.value}` },
        body: JSON.stringify(body),
      });
      const stored = done.documents || [];
      result.textContent = stored.length ? `Stored ${stored.length} document(s).` : `Not stored: ${JSON.stringify(done.skipped_reasons)}`;
      await loadEvents();
      if (stored.length) { dialog.close(); location.hash = `#/document/${encodeURIComponent(stored[0])}`; }
    } catch (error) {
      result.textContent = `Refused: ${error.message}`;
    }
  });
}

// --- date slider, routing, start ------------------------------------------------------------

async function loadEvents() {
  state.events = await api("/api/map/events");
  const dates = state.events.features.map((f) => f.properties.date).filter(Boolean).sort();
  const slider = document.getElementById("as-of");
  const first = dates.length ? Date.parse(dates[0]) : Date.now();
  const last = dates.length ? Date.parse(dates[dates.length - 1]) : Date.now();
  state.days = [first, last];
  slider.max = String(Math.round((last - first) / DAY));
  if (!state.asOf || state.asOf > iso(new Date(last))) { slider.value = slider.max; }
  setAsOf(iso(new Date(first + Number(slider.value) * DAY)), false);
  if (state.map) { state.map.getSource("events").setData(state.events); await refreshMap(); }
}

function setAsOf(day, refresh = true) {
  state.asOf = day;
  document.getElementById("as-of-label").textContent = day;
  document.getElementById("as-of").setAttribute("aria-valuetext", day);
  if (refresh) refreshView();
}

const refreshView = debounce(() => {
  const views = { map: refreshMap, network: refreshNetwork, timeline: refreshTimeline, documents: refreshDocuments };
  Promise.resolve(views[state.view]()).catch((e) => status(e.message, true));
}, 150);

function route() {
  const [path, query] = location.hash.replace(/^#\/?/, "").split("?");
  const [page, ...rest] = path.split("/");
  const id = decodeURIComponent(rest.join("/"));
  const params = new URLSearchParams(query || "");
  if (["map", "network", "timeline", "documents"].includes(page) || !page) {
    const view = page || "map";
    if (params.has("ego")) document.getElementById("ego").value = params.get("ego");
    if (params.has("actor")) document.getElementById("timeline-actor").value = params.get("actor");
    switchView(view);
    return;
  }
  const pages = { event: showEvent, entity: showEntity, document: showDocument };
  if (pages[page]) {
    pages[page](id).then(() => document.getElementById("panel").focus({ preventScroll: true }))
      .catch((e) => showPanel(el("p", { class: "error", text: `Could not load ${page} ${id}: ${e.message}` })));
  }
}

function switchView(view) {
  state.view = view;
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== `view-${view}`;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (view === "map" && state.map) state.map.resize();
  refreshView();
}

async function start() {
  try {
    state.config = await api("/api/config");
    await loadEvents();
    const slider = document.getElementById("as-of");
    slider.addEventListener("input", () => setAsOf(iso(new Date(state.days[0] + Number(slider.value) * DAY))));
    document.getElementById("window").addEventListener("change", () => refreshMap().catch((e) => status(e.message, true)));
    document.getElementById("network-form").addEventListener("submit", (e) => { e.preventDefault(); refreshNetwork().catch((x) => status(x.message, true)); });
    document.getElementById("timeline-form").addEventListener("submit", (e) => { e.preventDefault(); refreshTimeline().catch((x) => status(x.message, true)); });
    initSearch();
    initIngest();
    await initMap();
    window.addEventListener("hashchange", route);
    route();
    document.body.dataset.ready = "1";
  } catch (error) {
    status(`The workbench could not start: ${error.message}`, true);
  }
}

document.addEventListener("DOMContentLoaded", start);
