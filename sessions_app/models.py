"""Django finds an app's models only through ``<app>.models``: this module imports each
package's models so that they are registered, and nothing else.

Import a model from the package that owns it (``from sessions_app.meetings.models import
Meeting``), never from here: this module sits above every package, so importing from it
would turn the packages' one-way dependencies into a cycle.
"""

from sessions_app.attendance import models as attendance_models  # noqa: F401
from sessions_app.attention import models as attention_models  # noqa: F401
from sessions_app.calendars import models as calendars_models  # noqa: F401
from sessions_app.cohorts import models as cohorts_models  # noqa: F401
from sessions_app.feedback import models as feedback_models  # noqa: F401
from sessions_app.imports import models as imports_models  # noqa: F401
from sessions_app.insights import models as insights_models  # noqa: F401
from sessions_app.meetings import models as meetings_models  # noqa: F401
from sessions_app.notifications import models as notifications_models  # noqa: F401
from sessions_app.push import models as push_models  # noqa: F401
from sessions_app.reflections import models as reflections_models  # noqa: F401
from sessions_app.supervision import models as supervision_models  # noqa: F401
from sessions_app.trim import models as trim_models  # noqa: F401
from sessions_app.video import models as video_models  # noqa: F401
