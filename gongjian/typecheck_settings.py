"""Settings for mypy's Django plugin, which loads the settings to learn the models.

The real settings refuse to load without keys unless DEBUG or testing is on; type checking never
serves a request, so it loads them as the tests do. Used by ``[tool.django-stubs]`` in pyproject.toml.
"""

import os

os.environ.setdefault("GONGJIAN_TESTING", "1")

from gongjian.settings import *  # noqa: E402, F403
