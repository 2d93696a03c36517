"""Activity text: sentences describing activities, and the encoders that embed them."""

from .encoders import TextEncoder, default_text_encoder
from .templates import BASE_TEMPLATE, base_sentence

__all__ = ["BASE_TEMPLATE", "TextEncoder", "base_sentence", "default_text_encoder"]
