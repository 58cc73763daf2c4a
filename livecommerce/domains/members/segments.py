"""Saved segments of a host's people: filters (segment_filters.py) with a live count, a paged
member list and a CSV export; `members_of` is what outreach sends to."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from asyncpg import Connection
from asyncpg.exceptions import UniqueViolationError

from livecommerce.domains.members.crm_schemas import MemberPage, MemberRow, TagChip
from livecommerce.domains.members.segment_filters import SegmentFilters, compile_filters
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.schema import In, Out

MAX_SEGMENTS = 100  # per host
EXPORT_CHUNK = 1000
SegmentName = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"\S")]


class SegmentIn(In, frozen=True):
    name: SegmentName
    filters: SegmentFilters = msgspec.field(default_factory=SegmentFilters)


class PreviewIn(In, frozen=True):
    filters: SegmentFilters = msgspec.field(default_factory=SegmentFilters)


class SegmentOut(Out):
    id: int
    name: str
    filters: SegmentFilters
    count: int
    created_at: datetime
    updated_at: datetime


class CountOut(Out):
    count: int


def _filters(raw: Any) -> SegmentFilters:
    data = raw if isinstance(raw, str) else json.dumps(raw)
    return msgspec.json.decode(data, type=SegmentFilters)


async def count(conn: Connection, host_id: int, filters: SegmentFilters) -> int:
    compiled = compile_filters(host_id, filters, datetime.now(UTC))
    return int(await conn.fetchval(f"SELECT count(*) FROM ({compiled.sql}) s", *compiled.args))


async def _segment_row(conn: Connection, host_id: int, segment_id: int) -> Any:
    row = await conn.fetchrow(
        "SELECT * FROM member_segments WHERE id = $1 AND host_id = $2", segment_id, host_id
    )
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no segment {segment_id}")
    return row


async def _out(conn: Connection, host_id: int, row: Any) -> SegmentOut:
    filters = _filters(row["filters"])
    return SegmentOut(
        id=row["id"],
        name=row["name"],
        filters=filters,
        count=await count(conn, host_id, filters),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def list_segments(host_id: int) -> list[SegmentOut]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM member_segments WHERE host_id = $1 ORDER BY name, id", host_id
        )
        return [await _out(conn, host_id, r) for r in rows]


async def get_segment(host_id: int, segment_id: int) -> SegmentOut:
    async with db.connection() as conn:
        return await _out(conn, host_id, await _segment_row(conn, host_id, segment_id))


async def save(
    host_id: int, actor_id: int, data: SegmentIn, segment_id: int | None = None
) -> SegmentOut:
    """Create (no `segment_id`) or replace a segment."""
    filters = msgspec.json.encode(data.filters).decode()
    async with db.transaction() as tx:
        conn = tx.conn
        try:
            if segment_id is None:
                await conn.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", host_id)
                held = await conn.fetchval(
                    "SELECT count(*) FROM member_segments WHERE host_id = $1", host_id
                )
                if held >= MAX_SEGMENTS:
                    raise DomainError(
                        ErrorCode.CONFLICT, detail=f"a host has at most {MAX_SEGMENTS} segments"
                    )
                row = await conn.fetchrow(
                    "INSERT INTO member_segments (host_id, name, filters, created_by_id)"
                    " VALUES ($1, $2, $3::jsonb, $4) RETURNING *",
                    host_id,
                    data.name.strip(),
                    filters,
                    actor_id,
                )
            else:
                row = await conn.fetchrow(
                    "UPDATE member_segments SET name = $3, filters = $4::jsonb, updated_at = now()"
                    " WHERE id = $1 AND host_id = $2 RETURNING *",
                    segment_id,
                    host_id,
                    data.name.strip(),
                    filters,
                )
                if row is None:
                    raise DomainError(ErrorCode.NOT_FOUND, detail=f"no segment {segment_id}")
        except UniqueViolationError:
            raise DomainError(
                ErrorCode.SEGMENT_NAME_TAKEN, detail=f"there is a segment named {data.name!r}"
            ) from None
        return await _out(conn, host_id, row)


async def delete(host_id: int, segment_id: int) -> None:
    async with db.transaction() as tx:
        gone = await tx.conn.fetchval(
            "DELETE FROM member_segments WHERE id = $1 AND host_id = $2 RETURNING id",
            segment_id,
            host_id,
        )
    if gone is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no segment {segment_id}")


async def preview(host_id: int, filters: SegmentFilters) -> CountOut:
    async with db.connection() as conn:
        return CountOut(count=await count(conn, host_id, filters))


async def members_of(conn: Connection, host_id: int, segment_id: int) -> list[int]:
    """The user ids in the host's segment now, ascending (outreach sends to these). 404 for a
    segment that is not the host's."""
    row = await _segment_row(conn, host_id, segment_id)
    compiled = compile_filters(host_id, _filters(row["filters"]), datetime.now(UTC))
    rows = await conn.fetch(
        f"SELECT user_id FROM ({compiled.sql}) s ORDER BY user_id", *compiled.args
    )
    return [r["user_id"] for r in rows]


async def _chips(conn: Connection, host_id: int, user_ids: list[int]) -> dict[int, list[TagChip]]:
    rows = await conn.fetch(
        "SELECT t.user_id, t.code, t.kind, coalesce(d.name, '') AS name,"
        " coalesce(d.colour, '') AS colour, t.evidence"
        " FROM member_tags t LEFT JOIN member_tag_defs d ON d.id = t.tag_def_id"
        " WHERE t.host_id = $1 AND t.user_id = ANY($2::int[])"
        " AND (t.expires_at IS NULL OR t.expires_at > now()) ORDER BY t.kind DESC, t.code",
        host_id,
        user_ids,
    )
    out: dict[int, list[TagChip]] = {}
    for r in rows:
        evidence = json.loads(r["evidence"]) if isinstance(r["evidence"], str) else r["evidence"]
        out.setdefault(r["user_id"], []).append(
            TagChip(
                code=r["code"],
                kind=r["kind"],
                name=r["name"],
                colour=r["colour"],
                evidence=evidence or {},
            )
        )
    return out


async def _filters_for(
    conn: Connection, host_id: int, segment_id: int | None, tag: str | None
) -> SegmentFilters:
    filters = (
        _filters((await _segment_row(conn, host_id, segment_id))["filters"])
        if segment_id is not None
        else SegmentFilters()
    )
    if tag:
        filters = msgspec.structs.replace(filters, tags_any=[*filters.tags_any, tag])
    return filters


async def page(
    host_id: int,
    *,
    segment_id: int | None = None,
    tag: str | None = None,
    q: str = "",
    offset: int = 0,
    limit: int = 20,
) -> MemberPage:
    """The host's people (of a segment, with a tag, matching a search), the latest buyers
    first, with the total under the same filters."""
    async with db.connection() as conn:
        filters = await _filters_for(conn, host_id, segment_id, tag)
        compiled = compile_filters(host_id, filters, datetime.now(UTC), q)
        n = len(compiled.args)
        total = await conn.fetchval(f"SELECT count(*) FROM ({compiled.sql}) s", *compiled.args)
        rows = await conn.fetch(
            f"SELECT s.*, coalesce(f.status, 'todo') AS follow_up,"
            f" coalesce(t.name, '') AS tier_name FROM ({compiled.sql}) s"
            " LEFT JOIN member_followups f ON f.host_id = $1 AND f.user_id = s.user_id"
            " LEFT JOIN member_tiers t ON t.host_id = $1 AND t.code = s.tier_code"
            " ORDER BY s.last_paid_at DESC NULLS LAST, s.user_id DESC"
            f" LIMIT ${n + 1} OFFSET ${n + 2}",
            *compiled.args,
            limit,
            offset,
        )
        chips = await _chips(conn, host_id, [r["user_id"] for r in rows])
    return MemberPage(
        items=[MemberRow(**dict(r), tags=chips.get(r["user_id"], [])) for r in rows],
        total=total,
        offset=offset,
        limit=limit,
    )


# A cell starting with one of these is a formula to Excel and friends (CSV injection): such
# text is written with a leading apostrophe, which shows the text and runs nothing.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


HEADERS = {
    "zh-CN": ["用户ID", "用户名", "昵称", "等级", "累计消费(元)", "订单数", "最近购买", "标签"],
    "en": ["User id", "Username", "Name", "Tier", "Spend (yuan)", "Orders", "Last paid", "Tags"],
}


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


async def export_csv(host_id: int, segment_id: int, lang: str, tz: str) -> AsyncIterator[bytes]:
    """The segment's people as CSV: UTF-8 with a BOM (Excel reads Chinese right), streamed in
    chunks, every text cell guarded against formula injection."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    async with db.connection() as conn:
        row = await _segment_row(conn, host_id, segment_id)
        compiled = compile_filters(host_id, _filters(row["filters"]), datetime.now(UTC))
        n = len(compiled.args)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADERS.get(lang, HEADERS["zh-CN"]))
        yield ("\ufeff" + buffer.getvalue()).encode()
        after = 0
        while True:
            rows = await conn.fetch(
                f"SELECT * FROM ({compiled.sql}) s WHERE s.user_id > ${n + 1}"
                f" ORDER BY s.user_id LIMIT ${n + 2}",
                *compiled.args,
                after,
                EXPORT_CHUNK,
            )
            if not rows:
                return
            chips = await _chips(conn, host_id, [r["user_id"] for r in rows])
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for r in rows:
                labels = [c.name or c.code for c in chips.get(r["user_id"], [])]
                paid = r["last_paid_at"]
                writer.writerow(
                    [
                        r["user_id"],
                        safe_cell(r["username"]),
                        safe_cell(r["display_name"]),
                        safe_cell(r["tier_code"]),
                        _yuan(r["lifetime_spend"]),
                        r["paid_orders"],
                        paid.astimezone(zone).strftime("%Y-%m-%d %H:%M") if paid else "",
                        safe_cell(" ".join(labels)),
                    ]
                )
            yield buffer.getvalue().encode()
            after = rows[-1]["user_id"]
