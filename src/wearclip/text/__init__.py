"""Activity text: sentences describing activities, the knowledge behind them, and the encoders that embed them."""

from ..config.model import DEFAULT_TEXT_ENCODER
from ..config.run import SENTENCE_MODES
from .encoders import TextEncoder, default_text_encoder
from .sentences import MissingKnowledgeWarning, check_recognition, class_sentences, sentences_by_phrase, vocabulary_tag
from .templates import BASE_TEMPLATE, base_sentence
from .vocabularies import Knowledge, Vocabulary, load_vocabulary, shipped_templates

__all__ = [
    "BASE_TEMPLATE",
    "DEFAULT_TEXT_ENCODER",
    "SENTENCE_MODES",
    "Knowledge",
    "MissingKnowledgeWarning",
    "TextEncoder",
    "Vocabulary",
    "base_sentence",
    "check_recognition",
    "class_sentences",
    "default_text_encoder",
    "load_vocabulary",
    "sentences_by_phrase",
    "shipped_templates",
    "vocabulary_tag",
]
