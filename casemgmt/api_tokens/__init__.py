"""API tokens for integrations: made and revoked by a system administrator, scoped, throttled.

- services.py: making, revoking and checking tokens (only a hash of each secret is kept)
- authentication.py: `Authorization: Bearer <token>` for DRF, and its OpenAPI scheme
- scopes.py: the scope each API operation needs of a token
- throttling.py: per-token and per-user rate limits, counted in Redis
- forms.py: the admin's forms to make and revoke a token
"""

# Registers the system check that the throttle rates in the environment can be read.
from casemgmt.api_tokens import throttling as throttling
