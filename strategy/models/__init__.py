"""Stage 1 (the plan) and stage 3 (conversation) models, one module per part."""

from .calendar import *  # noqa: F403
from .plan import *  # noqa: F403
from .referents import *  # noqa: F403
