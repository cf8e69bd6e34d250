"""Uploads are held in memory up to ``MAX_UPLOAD_BYTES`` and never spooled to disk.

Django's default handlers write any upload larger than 2.5 MB to a temporary file
before a view can look at it, so a stranger could fill the disk with one request. This
handler is the only one (``FILE_UPLOAD_HANDLERS``): it keeps at most
``MAX_UPLOAD_BYTES`` per request in memory, counts and discards the rest, and hands the
form a ``RefusedUpload`` of the full size, so the form can say "too large" instead of
"no file". The proxy in front should cap request bodies too (README, Production).
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class RefusedUpload(UploadedFile):
    """A file that was over the limit: its name and full size, and no content."""

    def __init__(self, *, name: str, content_type: str, size: int, charset: str | None):
        super().__init__(file=BytesIO(), name=name, content_type=content_type, size=size, charset=charset)


def upload_too_large(upload) -> bool:
    return isinstance(upload, RefusedUpload) or upload.size > settings.MAX_UPLOAD_BYTES


class CappedMemoryUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.kept_in_request = 0  # one handler per request: the cap covers all its files

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.received = 0
        self.refused = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if not self.refused:
            if self.kept_in_request + len(raw_data) > settings.MAX_UPLOAD_BYTES:
                # Over the cap: let go of what this file had and keep nothing more of it.
                self.refused = True
                self.kept_in_request -= self.buffer.tell()
                self.buffer = BytesIO()
            else:
                self.buffer.write(raw_data)
                self.kept_in_request += len(raw_data)
        return None  # nothing for any other handler

    def file_complete(self, file_size):
        if self.refused:
            return RefusedUpload(
                name=self.file_name, content_type=self.content_type, size=self.received, charset=self.charset
            )
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
