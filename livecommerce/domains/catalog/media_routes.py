"""HTTP for pictures: `POST /api/uploads/images` (any logged-in user, multipart/form-data with a
`file` part) and `GET /media/{key}` (public, from our own origin, cached for a year).

Made per app from its settings: the upload route's body limit is the image limit (plus room
for the multipart framing), above the app-wide MAX_BODY_BYTES that every JSON route keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import Body
from litestar.response import Redirect

from livecommerce.domains.catalog import uploads
from livecommerce.domains.catalog.schemas import UploadOut
from livecommerce.infra import media
from livecommerce.infra.auth import Actor, authenticated, provide_actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

# Part headers, boundaries and a field or two around the file.
MULTIPART_OVERHEAD = 64 * 1024


@dataclass
class ImageUpload:
    """One picture: JPEG, PNG, WebP or GIF (first frame), stored as WebP without metadata."""

    file: UploadFile


def media_handlers(settings: Settings) -> list[HTTPRouteHandler]:
    @post(
        "/api/uploads/images",
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
        status_code=201,
        request_max_body_size=settings.media_max_upload_bytes + MULTIPART_OVERHEAD,
        tags=["catalog"],
    )
    async def upload_image(
        request: Request[Any, Any, Any],
        actor: Actor,
        data: Annotated[
            ImageUpload,
            Body(media_type=RequestEncodingType.MULTI_PART, multipart_form_part_limit=4),
        ],
    ) -> UploadOut:
        """Upload a picture (a product's, a SKU's, an after-sales photo): re-encoded as WebP at
        most 2048 px, with a 400 px thumbnail, EXIF and other metadata stripped. Refused: over
        MEDIA_MAX_UPLOAD_BYTES (413 `image_too_large`), not an image (422 `not_an_image`), more
        pixels than MEDIA_MAX_PIXELS (422 `image_too_many_pixels`), too many uploads this hour
        (429) or the stored-bytes quota used up (403 `upload_quota_exceeded`)."""
        file = data.file
        if not isinstance(file, UploadFile):
            raise DomainError(ErrorCode.NOT_AN_IMAGE, detail="send the picture as a file part")
        try:
            return await uploads.upload_image(settings, request.app.state.redis, actor, file)
        finally:
            await file.close()

    @get(
        "/media/{key:path}",
        exclude_from_auth=True,
        include_in_schema=False,
        cache_control=None,
    )
    async def serve_media(request: Request[Any, Any, Any], key: Path) -> Response[bytes] | Redirect:
        name = str(key).lstrip("/")
        if not media.is_key(name):
            raise DomainError(ErrorCode.NOT_FOUND, detail="no such picture")
        headers = {"Cache-Control": media.CACHE_CONTROL, "ETag": f'"{name.rsplit("/", 1)[-1]}"'}
        elsewhere = media.store_for(settings).redirect_of(name)
        if elsewhere is not None:
            return Redirect(
                elsewhere, status_code=302, headers={"Cache-Control": "public, max-age=86400"}
            )
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(b"", status_code=304, headers=headers)
        data = await uploads.read_media(settings, name)
        if data is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail="no such picture")
        return Response(data, media_type=media.CONTENT_TYPE, headers=headers)

    return [upload_image, serve_media]
