"""Sentence templates that turn an activity phrase into a description of sensor data.

The 33 templates of the study (8 hand-crafted, 25 more) ship as data in ``vocabulary/templates.yaml``;
a user's vocabulary file may carry its own ``templates`` list instead.
"""

from __future__ import annotations

import string

BASE_TEMPLATE = "This is wearable sensor data for a person engaged in {activity}"
"""The study's base template, verbatim."""

PLACEHOLDER = "activity"

LOCATIONS = {
    "wrist": "on the wrist",
    "hand": "on the wrist",
    "forearm": "on the forearm",
    "upperarm": "on the upper arm",
    "right-arm": "on the right forearm, just above the wrist",
    "left-arm": "on the left forearm, just above the wrist",
    "waist": "at the waist",
    "hip": "on the hip",
    "pocket": "in a trouser pocket",
    "chest": "on the chest",
    "torso": "on the chest",
    "head": "on the head",
    "thigh": "on the thigh",
    "shin": "on the shin",
    "ankle": "on the ankle",
    "right-leg": "on the right leg, just above the knee",
    "left-leg": "on the left leg, just above the knee",
}
"""Where on the body each registered placement puts the sensor, as the ``+placement`` modes say it.
Placements that name no one place (``any``, ``all``) have none."""


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


def placement_sentence(placement: str) -> str | None:
    """The sentence naming where the sensor is worn, or None for a placement without one place."""
    location = LOCATIONS.get(placement)
    return f"The sensor is worn {location}." if location else None


def base_sentence(activity: str) -> str:
    """The base-template sentence for one activity phrase."""
    return fill(BASE_TEMPLATE, activity)
