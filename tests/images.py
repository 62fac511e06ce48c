"""Image files for upload tests, made with Pillow."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(size=(800, 600), fmt="PNG", color=(179, 18, 91), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color if mode != "1" else 0).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name="poster.png", content: bytes | None = None, content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes() if content is None else content, content_type=content_type)
