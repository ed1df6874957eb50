"""Stage 5, invisible learning: one module per part of the stage."""

from .cases import *  # noqa: F403  (2. relevant cases: feeds, items, case studies)
from .executives import *  # noqa: F403  (3. educating executives)
from .explore import *  # noqa: F403  (5. exploring trends: groups, think-tank ideas, experiments)
from .internal import *  # noqa: F403  (1. social media inside the organisation)
from .lessons import *  # noqa: F403  (lessons learned)
from .staff import *  # noqa: F403  (4. listening to staff: surveys, staff lists, talks, policies)
