"""The Content-Security-Policies of responses made to be embedded in a shop's pages.

Every other response gets the site policy of settings.CONTENT_SECURITY_POLICY (django-csp):
no inline script or style, never framed.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp

# The badge SVG styles itself inline and loads nothing; shops may show it anywhere.
badge_policy = csp({"default-src": [NONE], "style-src": [UNSAFE_INLINE]})

# The review widgets are documents for an iframe on the shop's own site.
widget_policy = csp(
    {
        "default-src": [NONE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "base-uri": [NONE],
        "form-action": [NONE],
        "frame-ancestors": ["*"],
    }
)
