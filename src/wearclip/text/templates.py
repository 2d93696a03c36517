"""Sentence templates that turn an activity phrase into a description of sensor data."""

from __future__ import annotations

BASE_TEMPLATE = "This is wearable sensor data for a person engaged in {activity}"
"""The study's base template, verbatim."""


def base_sentence(activity: str) -> str:
    """The base-template sentence for one activity phrase."""
    if not activity.strip():
        raise ValueError("activity phrase is empty")
    return BASE_TEMPLATE.format(activity=activity)
