"""Static files storage: hashed, compressed names in production (whitenoise)."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed names once `collectstatic` has run (make run); plain names before it (tests,
    a fresh checkout), where whitenoise serves the files from the app finders."""

    manifest_strict = False

    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        try:
            return str(super().hashed_name(name, content, filename))
        except ValueError:
            if content is not None:
                raise
            return name
