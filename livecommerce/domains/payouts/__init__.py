"""Host payouts: payout methods on file and withdrawals of settled takings, reviewed by an admin."""
