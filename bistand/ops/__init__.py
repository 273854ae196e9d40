"""Running Bistånd in production: the server, health, metrics and logs (docs/OPERATIONS.md)."""
