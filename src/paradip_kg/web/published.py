"""The published graphs as rdflib graphs, for what the web validates against them.

pyshacl works on rdflib graphs, the store is Oxigraph: :class:`Published` reads a named graph of
the current store version when it is first asked for and keeps it (with the /quality report of
that version) in the app state's cache, so a new build or an accepted write is picked up by the
next request (:meth:`~paradip_kg.web.state.AppState.cached`).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from paradip_kg.errors import NotAvailable
from paradip_kg.namespaces import GRAPHS
from paradip_kg.rdf.parse import add_quads
from paradip_kg.shacl.inputs import folder_stamp, load_shapes, project_folder
from paradip_kg.shacl.results import Report
from paradip_kg.web.state import get_state


class Published:
    """The graphs of one version of the built store, read into rdflib graphs when first asked for."""

    def __init__(self, store: ox.Store, version: str) -> None:
        self.store, self.version = store, version
        self._graphs: dict[str, Graph] = {}
        self._lock = threading.Lock()
        self.quality: tuple[Report, Graph] | None = None
        self.quality_lock = threading.Lock()

    def graph(self, name: str) -> Graph:
        """The named graph ``name`` of :data:`~paradip_kg.namespaces.GRAPHS` (shared: do not change it)."""
        with self._lock:
            if name not in self._graphs:
                graph = Graph()
                add_quads(self.store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS[name]))), graph)
                self._graphs[name] = graph
            return self._graphs[name]


def published() -> Published:
    """The built store's graphs, for its current version (NotAvailable without a store)."""
    state = get_state()
    pub: Published = state.cached(("web.published",), lambda: Published(state.store(), state.version()))
    return pub


def project_graphs() -> tuple[Graph, Graph, Graph]:
    """The published shapes, vocabularies and ontology (the project folders without a built store)."""
    try:
        pub: Published | None = published()
    except NotAvailable:
        pub = None
    if pub is not None and len(pub.graph("shapes")):
        return pub.graph("shapes"), pub.graph("vocab"), pub.graph("ontology")
    project_dir = Path(get_state().settings["project_dir"])
    return load_shapes([], project_dir), _folder(project_dir / "vocab"), _folder(project_dir / "ontology")


def _folder(folder: Path) -> Graph:
    """A project folder parsed once per process, again when one of its files changes (app state)."""
    graph: Graph = get_state().cached(("web.published.folder", str(folder), folder_stamp(folder)),
                                      lambda: project_folder(folder), per_version=False)
    return graph
