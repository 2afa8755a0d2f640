// policygraph report: draws the actor-measure graph, filters it, shows evidence
// and the recommendations table. All text comes from PDFs and is untrusted:
// it reaches the DOM only through textContent or property assignment, and the
// graph draws it on a canvas.
(function () {
  "use strict";

  const DATA = JSON.parse(document.getElementById("report-data").textContent);

  // Tableau 20, reordered so that neighbouring instrument ids differ strongly.
  const PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
    "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#393b79",
  ];
  const ACTOR_COLOUR = "#34495e";
  const NO_INSTRUMENT_COLOUR = "#b0b7bf";
  const CONTRADICTION_COLOUR = "#c62828";
  const TARGET_COLOUR = "#e08a00";
  const PIE_SLICES = 4;
  const LABEL_CHARS = 70;
  // In a crowded graph measure labels wait until the user zooms in (or hovers, or clicks).
  const MEASURE_LABEL_MIN_PX = DATA.measures.length > 60 ? 14 : 8;
  const ACTOR_REPULSION = 40000 * Math.max(1, DATA.measures.length);

  const byId = (id) => document.getElementById(id);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function shorten(text, limit) {
    const clean = String(text || "").replace(/\s+/g, " ").trim();
    return clean.length > limit ? clean.slice(0, limit - 1) + "\u2026" : clean;
  }

  const actors = new Map(DATA.actors.map((a) => [a.id, a]));
  const actorByKey = new Map(DATA.actors.map((a) => [a.key, a]));
  const measures = new Map(DATA.measures.map((m) => [m.id, m]));
  const documents = new Map(DATA.documents.map((d) => [d.id, d]));
  const instruments = new Map(DATA.instruments.map((i) => [i.id, i]));
  const colourOf = new Map(DATA.instruments.map((ins, i) => [ins.id, PALETTE[i % PALETTE.length]]));
  const edgesById = new Map(DATA.edges.map((e) => [e.id, e]));

  const actorName = (key) => (actorByKey.has(key) ? actorByKey.get(key).label : key);
  const instrumentName = (id) => (instruments.has(id) ? instruments.get(id).label : id);
  const documentName = (id) => {
    const doc = documents.get(id);
    return doc && doc.title ? doc.title : id;
  };
  const dimeOfInstruments = (ids) => ids.map((id) => (instruments.get(id) || {}).dime).filter(Boolean);
  const toolsOfInstruments = (ids) => ids.map((id) => (instruments.get(id) || {}).nato_tool).filter(Boolean);

  for (const m of DATA.measures) {
    m.dimeAll = Array.from(new Set([...m.dime, ...dimeOfInstruments(m.instruments)]));
    m.toolAll = Array.from(new Set([...(m.nato_tool || []), ...toolsOfInstruments(m.instruments)]));
  }
  DATA.rows.forEach((row, index) => {
    const measure = measures.get(row.measure);
    row.order = index;
    row.dimeAll = Array.from(new Set([...dimeOfInstruments(row.instruments), ...(measure ? measure.dimeAll : [])]));
    row.toolAll = Array.from(new Set([...toolsOfInstruments(row.instruments), ...(measure ? measure.toolAll : [])]));
    row.haystack = [
      row.doc, documentName(row.doc), row.page, row.text, row.section, row.modality, row.polarity,
      ...row.addressees, ...row.addressees.map(actorName), ...row.targets, ...row.targets.map(actorName),
      ...row.instruments, ...row.instruments.map(instrumentName),
    ].join("\n").toLowerCase();
  });

  // ---- graph ---------------------------------------------------------------

  function measureSize(m) {
    return Math.min(72, 18 + 9 * Math.sqrt(Math.max(m.support_sentences, 1) - 1) + 6 * (m.support_docs - 1));
  }

  function actorSize(a) {
    return Math.min(84, 26 + 7 * Math.sqrt(a.measures));
  }

  function measureNodeData(m) {
    const data = {
      id: m.id, kind: "measure", label: shorten(m.label, LABEL_CHARS), full: m.text || m.label, size: measureSize(m),
      colour: m.instruments.length ? colourOf.get(m.instruments[0]) : NO_INSTRUMENT_COLOUR,
    };
    // One pie slice per instrument, so multi-instrument measures show all their colours.
    const shown = m.instruments.slice(0, PIE_SLICES);
    for (let i = 0; i < PIE_SLICES; i += 1) {
      data["p" + i + "c"] = i < shown.length ? colourOf.get(shown[i]) : NO_INSTRUMENT_COLOUR;
      data["p" + i + "s"] = i < shown.length ? 100 / shown.length : 0;
    }
    return data;
  }

  function elements() {
    const nodes = [
      ...DATA.actors.map((a) => ({ data: { id: a.id, kind: "actor", label: shorten(a.label, 40), full: a.label, size: actorSize(a) } })),
      ...DATA.measures.map((m) => ({ data: measureNodeData(m) })),
    ];
    const edges = DATA.edges.map((e) => ({
      data: { id: e.id, source: e.source, target: e.target, type: e.type, label: e.type === "CONTRADICTS" ? e.reason || "contradicts" : "" },
      classes: e.type.toLowerCase(),
    }));
    return [...nodes, ...edges];
  }

  function pieStyle() {
    const style = { "pie-size": "100%" };
    for (let i = 0; i < PIE_SLICES; i += 1) {
      style["pie-" + (i + 1) + "-background-color"] = "data(p" + i + "c)";
      style["pie-" + (i + 1) + "-background-size"] = "data(p" + i + "s)";
    }
    return style;
  }

  const STYLE = [
    { selector: "node", style: {
      width: "data(size)", height: "data(size)", label: "data(label)", "font-size": 10, color: "#1f2933",
      "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": "170px",
      "min-zoomed-font-size": 7, "text-background-color": "#ffffff", "text-background-opacity": 0.75,
      "text-background-padding": 1, "border-width": 1, "border-color": "#ffffff",
    } },
    { selector: "node[kind = \"actor\"]", style: {
      shape: "round-rectangle", "background-color": ACTOR_COLOUR, "font-size": 13, "font-weight": "bold",
      "min-zoomed-font-size": 0, "z-index": 20,
    } },
    // Measure labels appear only when zoomed in far enough to read them.
    { selector: "node[kind = \"measure\"]", style: Object.assign({
      shape: "ellipse", "background-color": "data(colour)", "min-zoomed-font-size": MEASURE_LABEL_MIN_PX,
    }, pieStyle()) },
    { selector: "edge", style: {
      width: 1.2, "line-color": "#b8c2cc", "target-arrow-color": "#b8c2cc", "target-arrow-shape": "triangle",
      "arrow-scale": 0.7, "curve-style": "straight", opacity: 0.8,
    } },
    { selector: "edge.targets", style: { "line-color": TARGET_COLOUR, "target-arrow-color": TARGET_COLOUR, "line-style": "dotted", width: 1.5 } },
    { selector: "edge.contradicts", style: {
      width: 4, "line-color": CONTRADICTION_COLOUR, "line-style": "dashed", "line-dash-pattern": [8, 5],
      // Not "bezier": cytoscape 3.34 caches isBundledBezier() and throws in findEdgeControlPoints
      // when a bezier edge is hidden and shown again by the filters.
      "target-arrow-shape": "none", "curve-style": "unbundled-bezier", "control-point-distances": 40,
      "control-point-weights": 0.5, opacity: 1, "z-index": 30,
      label: "data(label)", "font-size": 10, color: CONTRADICTION_COLOUR, "text-background-color": "#ffffff",
      "text-background-opacity": 0.85, "min-zoomed-font-size": 6,
    } },
    { selector: ":selected", style: { "border-width": 4, "border-color": "#0b6bcb", "line-color": "#0b6bcb", "target-arrow-color": "#0b6bcb" } },
    { selector: ".hidden", style: { display: "none" } },
  ];

  const container = byId("graph");
  const cy = cytoscape({
    container, elements: elements(), style: STYLE, minZoom: 0.05, maxZoom: 5,
    boxSelectionEnabled: false, autoungrabify: false, selectionType: "single",
  });

  // Actors in a column on the left, measures in columns on the right, ordered
  // by their actors' positions so that most edges run level.
  function columnPositions() {
    const actorOrder = DATA.actors.slice().sort((a, b) => b.measures - a.measures || a.label.localeCompare(b.label));
    const actorRank = new Map(actorOrder.map((a, i) => [a.id, i]));
    const rankOf = (m) => {
      const ranks = [...m.addressed_by, ...m.targets].map((id) => actorRank.get(id)).filter((r) => r !== undefined);
      return ranks.length ? ranks.reduce((s, r) => s + r, 0) / ranks.length : actorOrder.length;
    };
    const measureOrder = DATA.measures.slice().sort((a, b) => rankOf(a) - rankOf(b) || a.id.localeCompare(b.id));
    const perColumn = Math.max(12, Math.ceil(Math.sqrt(measureOrder.length * 4)));
    const rowGap = 46;
    const height = Math.max(1, Math.min(perColumn, measureOrder.length) - 1) * rowGap;
    const positions = {};
    measureOrder.forEach((m, i) => {
      positions[m.id] = { x: 420 + Math.floor(i / perColumn) * 240, y: (i % perColumn) * rowGap };
    });
    // Spread actors over the measures' height, but never closer than their own size and label.
    const actorGap = actorOrder.length > 1 ? Math.max(100, height / (actorOrder.length - 1)) : 0;
    const actorTop = (height - actorGap * Math.max(actorOrder.length - 1, 0)) / 2;
    actorOrder.forEach((a, i) => { positions[a.id] = { x: 0, y: actorTop + actorGap * i }; });
    return positions;
  }

  const LAYOUTS = {
    columns: () => ({ name: "preset", positions: columnPositions(), fit: true, padding: 30, animate: false }),
    concentric: () => ({
      name: "concentric", concentric: (n) => (n.data("kind") === "actor" ? 2 : 1), levelWidth: () => 1,
      minNodeSpacing: 12, fit: true, padding: 30, animate: false,
    }),
    // Starting from the column layout keeps the force layout deterministic.
    cose: () => ({
      // Faster cooling than the default (0.99): ~1 s instead of ~4 s for 200 measures, same picture.
      name: "cose", randomize: false, animate: false, fit: true, padding: 30, coolingFactor: 0.95,
      // Actors repel in proportion to the corpus so that hubs do not pile up in the middle of a
      // large graph, while a small graph stays compact enough to read when fitted.
      nodeRepulsion: (n) => (n.data("kind") === "actor" ? ACTOR_REPULSION : 20000), idealEdgeLength: () => 110,
      edgeElasticity: () => 80, nodeOverlap: 400, nestingFactor: 1.2, componentSpacing: 80, gravity: 0.2,
    }),
  };

  function runLayout(name) {
    cy.layout(LAYOUTS.columns()).run();
    if (name !== "columns") cy.layout(LAYOUTS[name]()).run();
    fitVisible();
  }

  function fitVisible() {
    const visible = cy.elements().not(".hidden");
    if (visible.nonempty()) cy.fit(visible, 30);
  }

  // ---- filters -------------------------------------------------------------

  const state = {
    actor: "", role: "any", instrument: "", document: "", dime: "", tool: "", contradictions: false,
    search: "", sortKey: "doc", sortDir: 1, selectedRow: "",
  };

  const anyGraphFilter = () => Boolean(state.actor || state.instrument || state.document || state.dime || state.tool
    || state.contradictions);

  function servesActor(m, actorId) {
    const addressed = state.role !== "target" && m.addressed_by.includes(actorId);
    const targeted = state.role !== "addressee" && m.targets.includes(actorId);
    return addressed || targeted;
  }

  function measureVisible(m) {
    return (!state.actor || servesActor(m, state.actor))
      && (!state.instrument || m.instruments.includes(state.instrument))
      && (!state.document || m.docs.includes(state.document))
      && (!state.dime || m.dimeAll.includes(state.dime))
      && (!state.tool || m.toolAll.includes(state.tool))
      && (!state.contradictions || m.contradicts.length > 0);
  }

  function rowVisible(row) {
    if (state.actor) {
      const key = actors.get(state.actor).key;
      const addressed = state.role !== "target" && row.addressees.includes(key);
      const targeted = state.role !== "addressee" && row.targets.includes(key);
      if (!addressed && !targeted) return false;
    }
    if (state.instrument && !row.instruments.includes(state.instrument)) return false;
    if (state.document && row.doc !== state.document) return false;
    if (state.dime && !row.dimeAll.includes(state.dime)) return false;
    if (state.tool && !row.toolAll.includes(state.tool)) return false;
    if (state.contradictions && !(measures.has(row.measure) && measures.get(row.measure).contradicts.length)) return false;
    return !state.search || row.haystack.includes(state.search);
  }

  let visibleMeasureCount = DATA.measures.length;
  let visibleActorCount = DATA.actors.length;

  function applyGraphFilters() {
    const filtering = anyGraphFilter();
    const shownMeasures = new Set(DATA.measures.filter((m) => !filtering || measureVisible(m)).map((m) => m.id));
    const shownActors = new Set(filtering ? [] : DATA.actors.map((a) => a.id));
    if (state.actor) shownActors.add(state.actor);
    for (const id of shownMeasures) {
      const m = measures.get(id);
      for (const actorId of [...m.addressed_by, ...m.targets]) shownActors.add(actorId);
    }
    cy.batch(() => {
      cy.nodes().forEach((node) => {
        const shown = node.data("kind") === "actor" ? shownActors.has(node.id()) : shownMeasures.has(node.id());
        node.toggleClass("hidden", !shown);
      });
    });
    visibleMeasureCount = shownMeasures.size;
    visibleActorCount = shownActors.size;
  }

  function applyFilters() {
    applyGraphFilters();
    renderTable();
    fitVisible();
  }

  function fillSelect(select, options) {
    for (const [value, label] of options) {
      const option = el("option", label);
      option.value = value;
      select.append(option);
    }
  }

  const selects = {
    actor: byId("filter-actor"), role: byId("filter-role"), instrument: byId("filter-instrument"),
    document: byId("filter-document"), dime: byId("filter-dime"), tool: byId("filter-tool"),
  };
  fillSelect(selects.actor, DATA.actors.slice().sort((a, b) => a.label.localeCompare(b.label))
    .map((a) => [a.id, a.label + " (" + a.measures + ")"]));
  fillSelect(selects.instrument, DATA.instruments.map((i) => [i.id, i.label]));
  fillSelect(selects.document, DATA.documents.map((d) => [d.id, (d.title ? shorten(d.title, 60) + " (" + d.id + ")" : d.id)
    + (d.genre ? " \u2013 " + d.genre.replace(/_/g, " ") : "")]));
  fillSelect(selects.dime, DATA.dime.map((g) => [g, g]));
  fillSelect(selects.tool, (DATA.nato_tools || []).map((t) => [t, t]));

  for (const [key, select] of Object.entries(selects)) {
    select.addEventListener("change", () => {
      state[key] = select.value;
      applyFilters();
    });
  }
  byId("filter-contradictions").addEventListener("change", (event) => {
    state.contradictions = event.target.checked;
    applyFilters();
  });
  byId("layout").addEventListener("change", (event) => runLayout(event.target.value));
  byId("reset").addEventListener("click", () => {
    Object.assign(state, { actor: "", role: "any", instrument: "", document: "", dime: "", tool: "", contradictions: false,
      search: "" });
    for (const [key, select] of Object.entries(selects)) select.value = state[key];
    byId("filter-contradictions").checked = false;
    byId("search").value = "";
    cy.elements().unselect();
    applyFilters();
    showHint();
  });

  function selectActor(actorId) {
    state.actor = actorId;
    selects.actor.value = actorId;
    applyFilters();
    showActor(actors.get(actorId));
  }

  // ---- evidence panel ------------------------------------------------------

  const panel = byId("panel");

  function showHint() {
    panel.replaceChildren(el("p", "Click a measure or an edge to see its evidence; click an actor to show only its measures.", "hint"));
  }

  function facts(pairs) {
    const list = el("dl");
    for (const [term, value] of pairs) {
      if (value === "" || value === null || value === undefined) continue;
      list.append(el("dt", term), el("dd", value));
    }
    return list;
  }

  function sourceLine(item) {
    const parts = [documentName(item.doc)];
    if (documentName(item.doc) !== item.doc) parts.push("(" + item.doc + ")");
    const text = parts.join(" ") + " \u00b7 page " + item.page
      + (item.section ? " \u00b7 " + item.section : "")
      + (item.score !== null && item.score !== undefined ? " \u00b7 score " + Number(item.score).toFixed(2) : "");
    const line = el("p", text, "source");
    line.dataset.doc = item.doc;
    line.dataset.page = String(item.page);
    return line;
  }

  function evidenceList(items) {
    if (!items.length) return el("p", "No evidence sentence recorded.", "empty");
    const list = el("ol", null, "evidence");
    for (const item of items) {
      const entry = el("li");
      entry.append(el("blockquote", item.sentence), sourceLine(item));
      list.append(entry);
    }
    return list;
  }

  function measureButton(id) {
    const button = el("button", shorten(measures.get(id).label, 80));
    button.type = "button";
    button.addEventListener("click", () => showMeasure(id, true));
    return button;
  }

  function showMeasure(id, centre) {
    const m = measures.get(id);
    if (!m) return;
    cy.elements().unselect();
    const node = cy.getElementById(id);
    node.select();
    if (centre && !node.hasClass("hidden")) cy.animate({ center: { eles: node }, duration: 0 });
    const children = [
      el("h2", "Measure"),
      el("p", m.text || m.label, "measure-text"),
      facts([
        ["Instruments", m.instruments.map(instrumentName).join(", ")],
        ["DIME", m.dimeAll.join(", ")],
        ["Tool of government", m.toolAll.join(", ")],
        ["Modality", m.modality],
        ["Polarity", m.polarity],
        ["Addressed to", m.addressed_by.map((a) => actors.get(a).label).join(", ")],
        ["Targets", m.targets.map((a) => actors.get(a).label).join(", ")],
        ["Proposed by", (m.issuers || []).map(actorName).join(", ")],
        ["Support", m.support_sentences + " sentence(s) in " + m.support_docs + " document(s)"],
      ]),
    ];
    if (m.contradicts.length) {
      const list = el("ul", null, "contradicted");
      for (const other of m.contradicts) {
        const item = el("li");
        item.append(measureButton(other));
        list.append(item);
      }
      children.push(el("h3", "Contradicted by", "reason"), list);
    }
    children.push(el("h3", "Evidence"), evidenceList(m.evidence));
    panel.replaceChildren(...children);
  }

  function showActor(a) {
    const served = DATA.measures.filter((m) => m.addressed_by.includes(a.id) || m.targets.includes(a.id));
    panel.replaceChildren(
      el("h2", a.label),
      facts([
        ["Actor id", a.key],
        ["Kind", a.actor_kind],
        ["Wikidata", a.qid],
        ["Addressed", served.filter((m) => m.addressed_by.includes(a.id)).length + " measure(s)"],
        ["Targeted by", served.filter((m) => m.targets.includes(a.id)).length + " measure(s)"],
      ]),
      el("p", "The graph and the table now show this actor's measures. Reset to see all.", "hint"),
    );
  }

  function contradictionSide(label, measureId, side) {
    const entry = el("li");
    entry.append(el("p", label, "side"));
    if (measures.has(measureId)) entry.append(measureButton(measureId));
    entry.append(el("blockquote", side.sentence), sourceLine(Object.assign({ section: "", score: null }, side)));
    return entry;
  }

  function showEdge(id) {
    const e = edgesById.get(id);
    if (!e) return;
    const ends = (nodeId) => (actors.has(nodeId) ? actors.get(nodeId).label : shorten(measures.get(nodeId).label, 100));
    if (e.type === "CONTRADICTS") {
      const sides = el("ol", null, "evidence");
      sides.append(contradictionSide("Side A", e.source, e.sides[0]), contradictionSide("Side B", e.target, e.sides[1]));
      panel.replaceChildren(
        el("h2", "Contradiction"),
        el("p", e.reason, "reason"),
        facts([["Shared target", e.target_actor.split(";").filter(Boolean).map(actorName).join(", ")]]),
        sides,
      );
      return;
    }
    const heading = e.type === "TARGETS" ? "Measure targets actor" : "Measure addressed to actor";
    panel.replaceChildren(
      el("h2", heading),
      facts([["From", ends(e.source)], ["To", ends(e.target)], ["Edge", e.type]]),
      el("h3", "Evidence"),
      evidenceList(e.evidence),
    );
  }

  function showRow(row) {
    panel.replaceChildren(
      el("h2", "Recommendation"),
      facts([
        ["Addressees", row.addressees.map(actorName).join(", ")],
        ["Targets", row.targets.map(actorName).join(", ")],
        ["Instruments", row.instruments.map(instrumentName).join(", ")],
        ["Modality", row.modality],
        ["Polarity", row.polarity],
      ]),
      evidenceList([{ sentence: row.text, doc: row.doc, page: row.page, section: row.section, score: row.score }]),
    );
  }

  cy.on("tap", "node", (event) => {
    const node = event.target;
    if (node.data("kind") === "actor") selectActor(node.id());
    else showMeasure(node.id(), false);
  });
  cy.on("tap", "edge", (event) => showEdge(event.target.id()));
  cy.on("mouseover", "node", (event) => { container.title = event.target.data("full"); });
  cy.on("mouseout", "node", () => { container.title = ""; });

  // ---- table ---------------------------------------------------------------

  const COLUMNS = [
    { key: "doc", label: "Document", value: (r) => r.doc },
    { key: "page", label: "Page", numeric: true, value: (r) => r.page },
    { key: "text", label: "Recommendation", value: (r) => r.text, className: "text" },
    { key: "addressees", label: "Addressees", value: (r) => r.addressees.map(actorName).join(", ") },
    { key: "targets", label: "Targets", value: (r) => r.targets.map(actorName).join(", ") },
    { key: "issuers", label: "Issuers", value: (r) => (r.issuers || []).map(actorName).join(", ") },
    { key: "reported", label: "Reported", value: (r) => (r.reported ? "reported" : "") },
    { key: "instruments", label: "Instruments", value: (r) => r.instruments.map(instrumentName).join(", ") },
    { key: "modality", label: "Modality", value: (r) => r.modality },
    { key: "score", label: "Score", numeric: true, value: (r) => r.score, show: (v) => (v === null ? "" : v.toFixed(2)) },
  ];
  const columnByKey = new Map(COLUMNS.map((c) => [c.key, c]));
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function compareValues(column, a, b) {
    const x = column.value(a);
    const y = column.value(b);
    if (column.numeric) {
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
      if (y === null || y === undefined) return -1;
      return (x - y) * state.sortDir;
    }
    return collator.compare(String(x), String(y)) * state.sortDir;
  }

  function sortedRows(rows) {
    const column = columnByKey.get(state.sortKey);
    // Ties fall back to document, page and input order so the table never jitters.
    return rows.slice().sort((a, b) => compareValues(column, a, b)
      || collator.compare(a.doc, b.doc) || a.page - b.page || a.order - b.order);
  }

  const headRow = byId("table-head");
  for (const column of COLUMNS) {
    const cell = el("th");
    cell.scope = "col";
    cell.dataset.key = column.key;
    const button = el("button", column.label);
    button.type = "button";
    button.addEventListener("click", () => {
      state.sortDir = state.sortKey === column.key ? -state.sortDir : 1;
      state.sortKey = column.key;
      renderTable();
    });
    cell.append(button);
    headRow.append(cell);
  }

  function tableRow(row) {
    const tr = el("tr");
    tr.dataset.recId = row.rec_id;
    if (row.rec_id === state.selectedRow) tr.className = "selected";
    for (const column of COLUMNS) {
      const value = column.value(row);
      const td = el("td", column.show ? column.show(value) : value);
      td.dataset.key = column.key;
      if (column.numeric) td.classList.add("num");
      if (column.className) td.classList.add(column.className);
      if (column.key === "doc") td.title = documentName(row.doc);
      tr.append(td);
    }
    tr.addEventListener("click", () => {
      state.selectedRow = row.rec_id;
      for (const other of tbody.querySelectorAll("tr.selected")) other.classList.remove("selected");
      tr.classList.add("selected");
      if (measures.has(row.measure)) showMeasure(row.measure, true);
      else showRow(row);
    });
    return tr;
  }

  const tbody = byId("table-body");
  let visibleRowCount = DATA.rows.length;

  function renderTable() {
    const rows = sortedRows(DATA.rows.filter(rowVisible));
    visibleRowCount = rows.length;
    tbody.replaceChildren(...rows.map(tableRow));
    for (const cell of headRow.children) {
      if (cell.dataset.key === state.sortKey) cell.setAttribute("aria-sort", state.sortDir > 0 ? "ascending" : "descending");
      else cell.removeAttribute("aria-sort");
    }
    byId("row-count").textContent = rows.length + " of " + DATA.rows.length + " shown";
    updateSummary();
  }

  byId("search").addEventListener("input", (event) => {
    state.search = event.target.value.trim().toLowerCase();
    renderTable();
  });

  function updateSummary() {
    byId("summary").textContent = visibleMeasureCount + " of " + DATA.measures.length + " measures \u00b7 "
      + visibleActorCount + " of " + DATA.actors.length + " actors \u00b7 "
      + visibleRowCount + " of " + DATA.rows.length + " recommendations \u00b7 "
      + DATA.documents.length + " documents";
  }

  // ---- legend --------------------------------------------------------------

  function legendItem(label, swatchClass, colour) {
    const item = el("span", null, "legend-item");
    const swatch = el("span", null, "swatch " + swatchClass);
    if (colour) swatch.style.backgroundColor = colour;
    item.append(swatch, el("span", label));
    return item;
  }

  const legend = byId("legend");
  legend.append(legendItem("actor", "actor", ACTOR_COLOUR));
  const usedInstruments = new Set(DATA.measures.flatMap((m) => m.instruments));
  for (const ins of DATA.instruments) {
    if (usedInstruments.has(ins.id)) legend.append(legendItem(ins.label, "measure", colourOf.get(ins.id)));
  }
  if (DATA.edges.some((e) => e.type === "CONTRADICTS")) legend.append(legendItem("contradiction", "contradiction"));

  // ---- start ---------------------------------------------------------------

  if (!DATA.measures.length && !DATA.actors.length) {
    container.append(el("p", "This corpus has no measures to draw.", "hint"));
  }
  applyGraphFilters();
  renderTable();
  runLayout(byId("layout").value);

  // Read-only handle for tests and for people exploring in the console.
  window.policygraphReport = Object.freeze({ cy, data: DATA, state: () => Object.assign({}, state) });
}());
