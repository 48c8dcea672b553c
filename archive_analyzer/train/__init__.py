"""Fine-tuning GalleryGPT: conversation data, LLaVA-style label masking, LoRA, merge.

Nothing here imports Ray: the training loop talks to a small Session interface and
archive_analyzer.engine.ray_train runs it on Ray Train workers.
"""
