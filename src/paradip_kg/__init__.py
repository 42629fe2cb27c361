"""paradip-kg: an open knowledge graph and semantic-web publisher for paradiplomacy."""

__version__ = "0.1.0"
__all__ = ["__version__"]
