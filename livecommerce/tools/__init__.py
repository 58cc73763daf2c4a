"""Command-line tools anyone can run against a published giveaway (standard library only)."""
