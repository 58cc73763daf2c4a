from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter

from livecommerce.domains.catalog import services
from livecommerce.domains.catalog.schemas import (
    CreateProduct,
    ProductOut,
    ProductPage,
    UpdateProduct,
)
from livecommerce.infra.auth import Actor, provide_actor, requires


class ProductController(Controller):
    path = "/api/products"
    tags = ["catalog"]

    @post(
        "/",
        guards=[requires("host")],
        dependencies={"actor": Provide(provide_actor)},
        status_code=201,
    )
    async def create(self, actor: Actor, data: CreateProduct) -> ProductOut:
        """A host lists a product with its pictures (`images`, from POST /api/uploads/images),
        its specs (颜色: 红, 蓝) and its SKUs (one spec value each; prices in fen)."""
        return await services.create_product(actor.id, data)

    @get("/")
    async def list_products(
        self,
        maybe_actor: Actor | None,
        host_id: Annotated[int | None, QueryParameter(name="hostId")] = None,
        q: Annotated[str | None, Parameter(max_length=100)] = None,
        include_off_shelf: Annotated[bool, QueryParameter(name="includeOffShelf")] = False,
        cursor: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> ProductPage:
        """Products on shelf, newest first; a host may add `includeOffShelf=true` to see its own."""
        return await services.list_products(
            maybe_actor,
            host_id=host_id,
            query=q,
            include_off_shelf=include_off_shelf,
            cursor=cursor,
            limit=limit,
        )

    @get("/{product_id:int}")
    async def get_product(self, maybe_actor: Actor | None, product_id: int) -> ProductOut:
        return await services.get_product(product_id, maybe_actor)

    @patch(
        "/{product_id:int}",
        guards=[requires("host")],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def update(self, actor: Actor, product_id: int, data: UpdateProduct) -> ProductOut:
        """Change a product (title, description, images in order, specs, shelf) and its SKUs
        (name, spec values, picture, price, stock; a SKU without id is added, `remove: true`
        deletes one never ordered)."""
        return await services.update_product(product_id, actor, data)


CONTROLLERS = [ProductController]
