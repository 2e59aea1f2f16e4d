"""The private file storage: report files now, HR documents later — files that no URL serves.

It is Django's FileSystemStorage rooted at settings.PRIVATE_MEDIA_ROOT, by default `private` beside
MEDIA_ROOT (var/private: outside MEDIA_ROOT, and following it when it moves), with no URL at all: `url()`
raises, so no template or serializer can hand out a public link by mistake. Files go out only through views
that authorise the caller and stream them (FileResponse).

Django's own `base_url=None` falls back to MEDIA_URL, hence the subclass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.utils.functional import cached_property

PRIVATE = "private"  # the STORAGES alias


class PrivateFileSystemStorage(FileSystemStorage):
    @cached_property
    def base_location(self) -> str:
        if self._location is not None:
            return self._location
        return str(settings.PRIVATE_MEDIA_ROOT or Path(settings.MEDIA_ROOT).parent / "private")

    @cached_property
    def base_url(self) -> None:
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL: serve them through a view that checks access.")

    def _clear_cached_properties(self, setting: str, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)  # MEDIA_ROOT moved: so does the default location
        if setting == "PRIVATE_MEDIA_ROOT":  # a test moved it
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage() -> Storage:
    """The storage of STORAGES["private"] (a callable, so a FileField's migration names no class)."""
    return storages[PRIVATE]


def _holding(name: str) -> Storage:
    """The storage holding `name`: the private one, else (a file stored before private storage existed) the
    default one."""
    private = private_storage()
    return private if private.exists(name) else default_storage


def open_private(name: str) -> Any:
    """Open a private file for reading (mail attachments are private files too)."""
    return _holding(name).open(name, "rb")


def private_size(name: str) -> int:
    return _holding(name).size(name)
