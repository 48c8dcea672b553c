"""Exports for museum systems: Linked Art JSON-LD, IIIF annotation pages, catalogue CSV."""
