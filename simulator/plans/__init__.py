"""Plans: payout as pure functions, and quota-setting policies."""
