"""Evaluation as the GalleryGPT paper measures: generate for a test set, score it."""
