"""Sentence templates that turn an activity phrase into a description of sensor data.

The 33 templates of the study (8 hand-crafted, 25 more) ship as data in ``vocabulary/templates.yaml``;
a user's vocabulary file may carry its own ``templates`` list instead.
"""

from __future__ import annotations

import string

BASE_TEMPLATE = "This is wearable sensor data for a person engaged in {activity}"
"""The study's base template, verbatim."""

PLACEHOLDER = "activity"


def template_error(template: str) -> str | None:
    """Why ``template`` is not a usable template (``{activity}`` exactly once, no other field), or None."""
    if not template.strip():
        return "template is empty"
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        return f"template {template!r} is not a valid format string ({error})"
    if fields.count(PLACEHOLDER) != 1:
        return f"template {template!r} must contain {{{PLACEHOLDER}}} exactly once"
    others = sorted(set(fields) - {PLACEHOLDER})
    if others:
        return f"template {template!r} has unknown fields {others}; only {{{PLACEHOLDER}}} is allowed"
    return None


def fill(template: str, activity: str) -> str:
    """The sentence of one template for one activity phrase."""
    if not activity.strip():
        raise ValueError("activity phrase is empty")
    problem = template_error(template)
    if problem:
        raise ValueError(problem)
    return template.format(activity=activity.strip())


def base_sentence(activity: str) -> str:
    """The base-template sentence for one activity phrase."""
    return fill(BASE_TEMPLATE, activity)
