"""The backend the settings name (setting ``backend``): one place that turns a name into a store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from paradip_kg.backends.base import Backend
from paradip_kg.backends.embedded import EmbeddedBackend
from paradip_kg.backends.memory import MemoryBackend
from paradip_kg.backends.remote import RemoteBackend
from paradip_kg.settings import BACKENDS


def make_backend(settings: Mapping[str, Any], default_graphs: Sequence[str] = (), union: bool = False) -> Backend:
    """The backend of ``settings["backend"]`` (``oxigraph``, the default; ``memory``; ``remote``).

    Raises ValueError for another name; the remote backend raises ParadipError without
    ``remote_endpoint``.
    """
    name = str(settings.get("backend") or "oxigraph").strip().lower()
    if name == "oxigraph":
        return EmbeddedBackend(Path(settings["store"]), default_graphs, union,
                               in_memory=str(settings.get("store_in_memory") or "auto"),
                               workers=int(settings.get("workers") or 1),
                               query_workers=int(settings.get("query_workers") or 2),
                               query_queue=int(settings.get("query_queue", 4)),
                               query_timeout=float(settings.get("query_timeout") or 5.0))
    if name == "memory":
        return MemoryBackend.from_project(Path(str(settings.get("project_dir") or ".")),
                                          default_graphs=default_graphs, union=union)
    if name == "remote":
        return RemoteBackend.from_settings(settings, default_graphs, union)
    raise ValueError(f"unknown backend {name!r}: use one of {', '.join(BACKENDS)}")
