"""Multi-factor authentication for staff: an authenticator app (TOTP) and recovery codes."""
