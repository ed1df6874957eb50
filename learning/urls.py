"""Learning pages under /o/<org>/learning/: the work half (internal use, cases, executives, lessons)
and the people half (staff listening, exploring trends)."""

from learning.urls_people import urlpatterns as people_patterns
from learning.urls_work import urlpatterns as work_patterns

urlpatterns = [*work_patterns, *people_patterns]
