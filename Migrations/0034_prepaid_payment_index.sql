-- BL-8: a receipt page finds its payment's tokens (the credit and any key change pair).
CREATE INDEX prepaid_tokens_payment_idx ON prepaid_tokens (payment_id) WHERE payment_id IS NOT NULL;
