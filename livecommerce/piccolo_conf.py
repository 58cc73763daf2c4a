"""Piccolo's engine. The DSN is filled in at start-up (embedded or DATABASE_URL), see
infra/db.py."""

import os

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine

DB = PostgresEngine(config={"dsn": os.environ.get("DATABASE_URL", "")})

APP_REGISTRY = AppRegistry(apps=["livecommerce.piccolo_app"])
