"""The one Piccolo app. Migrations live in the top-level `migrations/` folder."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from livecommerce.domains.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="livecommerce",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
