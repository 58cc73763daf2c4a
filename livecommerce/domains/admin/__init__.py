"""The operator console: pages and APIs for the people who run the platform (DESIGN §14)."""
