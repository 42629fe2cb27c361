"""A private Virtuoso 7 (Debian's virtuoso-opensource) for the remote-store tests: installed and
run by ``scripts/virtuoso.sh`` in a temporary folder, on a free port of 127.0.0.1.

The session fixtures ``virtuoso`` and ``pushed`` (tests/conftest.py) start one for the whole
session, shared by tests/test_virtuoso.py and tests/test_backends.py.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paradip_kg.backends.client import RemoteStore
from support.paths import ROOT
from support.servers import free_port

SCRIPT = ROOT / "scripts" / "virtuoso.sh"

# Example queries whose rows Virtuoso repeats (a ``+`` property path reaching a node by two
# routes: docs/remote-store.md): their answers are compared as sets.
DUPLICATE_ROWS = {"11-cancun-place-chain"}


@dataclass
class Virtuoso:
    folder: Path
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    @property
    def update_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql-auth"

    @property
    def graph_store(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql-graph-crud-auth"

    def store(self, transport: str = "update", **kwargs: Any) -> RemoteStore:
        """A RemoteStore that loads with SPARQL Update, or with the Graph Store Protocol ("gsp")."""
        if transport == "gsp":
            kwargs.setdefault("graph_store", self.graph_store)
        return RemoteStore(self.endpoint, self.update_endpoint, "dba", "dba", **kwargs)


@contextmanager
def running_virtuoso(folder: Path) -> Iterator[Virtuoso]:
    """Virtuoso installed (idempotent) and started in ``folder``; stopped on leaving, also on failure."""
    install = subprocess.run([str(SCRIPT), "install"], capture_output=True, text=True, timeout=900)
    if install.returncode != 0:
        raise RuntimeError(f"scripts/virtuoso.sh install failed:\n{install.stderr[-3000:]}")
    server = Virtuoso(folder, free_port())
    try:
        start = subprocess.run([str(SCRIPT), "start", str(folder), str(server.port)], capture_output=True,
                               text=True, timeout=300)
        if start.returncode != 0:
            raise RuntimeError(f"Virtuoso did not start:\n{start.stdout}\n{start.stderr[-3000:]}")
        yield server
    finally:
        subprocess.run([str(SCRIPT), "stop", str(folder)], capture_output=True, timeout=60)
