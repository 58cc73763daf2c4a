# Piccolo's CLI looks for `piccolo_conf` in the working directory; the real one lives in the package.
from livecommerce.piccolo_conf import APP_REGISTRY, DB  # noqa: F401
