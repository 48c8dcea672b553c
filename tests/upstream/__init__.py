"""GalleryGPT's upstream code (LLaVA), vendored as a test reference and run under the
transformers release LLaVA pins (4.37.2), installed once into .cache/tf437."""
