"""Session fixtures for the remote-store tests (tests/test_virtuoso.py, tests/test_backends.py):
one private Virtuoso per session, and the bundled graph pushed into it once.

Imported into conftest.py, so that both modules share the same session instances (a fixture
imported into two test modules would be two fixtures, and start two servers).
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kg_fixtures import ROOT
from paradip_kg.backends.push import PushResult, push
from paradip_kg.backends.remote import RemoteStore

SCRIPT = ROOT / "scripts" / "virtuoso.sh"


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A private Virtuoso on 127.0.0.1, in a temporary folder; stopped at the end of the session."""
    install = subprocess.run([str(SCRIPT), "install"], capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, f"scripts/virtuoso.sh install failed:\n{install.stderr[-3000:]}"
    folder = tmp_path_factory.mktemp("virtuoso")
    server = Virtuoso(folder, free_port())
    try:
        start = subprocess.run([str(SCRIPT), "start", str(folder), str(server.port)], capture_output=True,
                               text=True, timeout=300)
        assert start.returncode == 0, f"Virtuoso did not start:\n{start.stdout}\n{start.stderr[-3000:]}"
        yield server
    finally:
        subprocess.run([str(SCRIPT), "stop", str(folder)], capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def pushed(virtuoso: Virtuoso, bundled_store: Path) -> tuple[RemoteStore, PushResult]:
    """The bundled graph, built and pushed into Virtuoso."""
    remote = virtuoso.store()
    return remote, push(bundled_store, remote)
