"""Uploaded files are read no further than the size limit (``KOMMUNKVALITET_UPLOAD_MAX_MB``).

:class:`LimitedUploadHandler` comes first in ``FILE_UPLOAD_HANDLERS``: past the limit it skips the rest
of the file (Django reads and drops it; nothing reaches memory or disk) and marks the request, so the
form can say "too big" instead of "choose a file".
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from kommunkvalitet import config


class LimitedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.limit = config.upload_max_bytes()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            if self.request is not None:
                self.request.upload_too_big = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file


def too_big(request) -> bool:
    """Whether the limit stopped a file of this request."""
    return bool(getattr(request, "upload_too_big", False))
