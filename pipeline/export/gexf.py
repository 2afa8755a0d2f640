"""GEXF 1.3 for Gephi, with a ``viz:color`` per node kind.

networkx writes GEXF 1.3 (``version="1.3"``) but not quite to the 1.3 schema:
it declares the XML Schema instance namespace as ``http://w3.org/...`` (no
``www``), puts a ``name`` on ``<graph>`` and a ``mode`` on ``<attributes>``
(1.2 features that 1.3 dropped) and writes an edge attribute called ``type``
as the XML ``type`` (which 1.3 reserves for directed/undirected/mutual). We
let networkx write, then repair those points; our edge type goes into the
1.3 ``kind`` attribute, which Gephi uses to tell parallel edges apart.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx

from pipeline.export.common import atomic_write_bytes, edge_id, xml_safe_attributes

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{GEXF_NS} {GEXF_NS}/gexf.xsd"
# What networkx 3.x writes as the xsi namespace for 1.3 (missing "www").
NETWORKX_XSI_NS = "http://w3.org/2001/XMLSchema-instance"

# Colour per node kind (Gephi shows these until a user runs its own partition).
NODE_COLOURS: dict[str, tuple[int, int, int]] = {
    "actor": (31, 119, 180),
    "measure": (255, 127, 14),
    "document": (127, 127, 127),
    "instrument": (44, 160, 44),
}
DEFAULT_COLOUR = (188, 189, 34)
EDGE_TYPE_ATTRIBUTE = "type"
NETWORKX_KEY = "networkx_key"


def _q(name: str, namespace: str = GEXF_NS) -> str:
    return f"{{{namespace}}}{name}"


def _writable(graph: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """A copy networkx writes the way we want, and each edge id's type."""
    copy = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        r, g, b = NODE_COLOURS.get(str(data.get("kind")), DEFAULT_COLOUR)
        copy.add_node(node, **xml_safe_attributes(data), viz={"color": {"r": r, "g": g, "b": b, "a": 1.0}})
    kinds: dict[str, str] = {}
    for source, target, key, data in graph.edges(keys=True, data=True):
        attributes = xml_safe_attributes(data)
        identifier = edge_id(source, target, key)
        kinds[identifier] = str(attributes.pop(EDGE_TYPE_ATTRIBUTE, ""))
        copy.add_edge(source, target, key=key, id=identifier, **attributes)
    return copy, kinds


def gexf_bytes(graph: nx.MultiDiGraph) -> bytes:
    copy, kinds = _writable(graph)
    raw = io.BytesIO()
    nx.write_gexf(copy, raw, version="1.3", prettyprint=False)
    root = ET.fromstring(raw.getvalue())
    stale_location = root.attrib.pop(f"{{{NETWORKX_XSI_NS}}}schemaLocation", None)
    if stale_location is not None or f"{{{XSI_NS}}}schemaLocation" not in root.attrib:
        root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    root.set("version", "1.3")
    creator = root.find(f"{_q('meta')}/{_q('creator')}")
    if creator is not None:
        creator.text = f"policygraph ({creator.text})"
    graph_element = root.find(_q("graph"))
    if graph_element is None:
        raise ValueError("networkx wrote a GEXF file without a <graph> element")
    graph_element.attrib.pop("name", None)
    for attributes in graph_element.findall(_q("attributes")):
        attributes.attrib.pop("mode", None)
    edges = graph_element.find(_q("edges"))
    for edge in edges if edges is not None else ():
        kind = kinds.get(edge.get("id", ""), "")
        if kind:
            edge.set("kind", kind)
    # ElementTree's own default_namespace option rejects unqualified attributes
    # (GEXF's are all unqualified), so the prefixes are registered instead.
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("viz", VIZ_NS)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_gexf(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    return atomic_write_bytes(path, gexf_bytes(graph))


def read_gexf(path: str | Path) -> nx.MultiDiGraph:
    """Read our GEXF back: edge types from ``kind``, keys from ``networkx_key``, no viz."""
    path = Path(path)
    loaded = nx.read_gexf(path, version="1.3")
    kinds = {
        edge.get("id"): edge.get("kind")
        for edge in ET.parse(path).getroot().iter(_q("edge"))
        if edge.get("kind") is not None
    }
    graph = nx.MultiDiGraph()
    for node, data in loaded.nodes(data=True):
        graph.add_node(node, **{k: v for k, v in data.items() if k != "viz"})
    for source, target, key, data in loaded.edges(keys=True, data=True):
        attributes = dict(data)
        identifier = attributes.pop("id", None)
        if identifier in kinds:
            attributes[EDGE_TYPE_ATTRIBUTE] = kinds[identifier]
        graph.add_edge(source, target, key=key, **attributes)
    return graph
