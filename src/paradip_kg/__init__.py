"""paradip-kg: an open knowledge graph and semantic-web publisher for paradiplomacy.

The package's own facts, in one place: its version (from the installed distribution's metadata,
so ``pyproject.toml`` is the only place it is written) and its folder, which holds the
templates, static files and example queries beside the code.
"""

from importlib.metadata import version
from pathlib import Path

__version__ = version("paradip-kg")
PACKAGE_DIR = Path(__file__).resolve().parent
__all__ = ["PACKAGE_DIR", "__version__"]
