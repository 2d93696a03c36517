"""Cross-modal retrieval: an on-disk window index with exact top-k, retrieval metrics, the X-CLIP video bridge."""

from .index import EmbeddingIndex, IndexInfo, exact_top_k, index_dataset, write_index
from .metrics import RetrievalResult, class_retrieval, evaluate_retrieval, retrieval_metrics
from .video import VideoEmbeddings, VideoEncoder, sensor_to_video, video_to_sensor

__all__ = [
    "EmbeddingIndex",
    "IndexInfo",
    "RetrievalResult",
    "VideoEmbeddings",
    "VideoEncoder",
    "class_retrieval",
    "evaluate_retrieval",
    "exact_top_k",
    "index_dataset",
    "retrieval_metrics",
    "sensor_to_video",
    "video_to_sensor",
    "write_index",
]
