"""Cross-modal retrieval: an on-disk window index with exact top-k, retrieval metrics, the X-CLIP video bridge."""

from .index import EmbeddingIndex, IndexInfo, exact_top_k, index_dataset, write_index

__all__ = ["EmbeddingIndex", "IndexInfo", "exact_top_k", "index_dataset", "write_index"]
