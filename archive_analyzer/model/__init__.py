"""GalleryGPT model: prompts, preprocessing, loading and batched generation."""
