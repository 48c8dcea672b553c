"""archive-analyzer: GalleryGPT formal analysis of museum collections, at scale, into PostgreSQL."""

__version__ = "0.1.0"
