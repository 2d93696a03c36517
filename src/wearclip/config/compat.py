"""Keeping what earlier versions wrote valid: checkpoints' configs, run identities and cache keys
hash or compare settings dumps, so an option added later must not change the dump while it is off."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, model_serializer


class AddedOptions(BaseModel):
    """Settings whose fields named in ``added_options`` are left out of every dump (Python and JSON)
    while they hold their default, i.e. while the option is switched off."""

    added_options: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit_switched_off(self, handler):
        data = handler(self)
        for name in self.added_options:
            if getattr(self, name) == type(self).model_fields[name].get_default(call_default_factory=True):
                data.pop(name, None)
        return data
