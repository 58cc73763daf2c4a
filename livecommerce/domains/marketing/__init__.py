"""Live marketing tools: flash sales, group buys, giveaways, follows, tips (DESIGN §13)."""
