"""paradip-kg: an open knowledge graph and semantic-web publisher for paradiplomacy.

The package's own facts, in one place: its version (from the installed distribution's metadata,
so ``pyproject.toml`` is the only place it is written) and its folder, which holds the
templates, static files and example queries beside the code.
"""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("paradip-kg")
except PackageNotFoundError:  # a source tree put on sys.path without installing it (pip install -e .)
    __version__ = "0+unknown"
PACKAGE_DIR = Path(__file__).resolve().parent
__all__ = ["PACKAGE_DIR", "__version__"]
