-- Every foreign key into a table whose rows are deleted gets an index to check it with
-- (SchemaTests keeps it so). PostgreSQL checks a deleted row's references by querying each
-- referring table; without an index that is a full scan per deleted row:
-- - discarding a draft bill run deletes its bills: 872,931 drafts ran for over 12 minutes against
--   25,000 tickets before it was stopped (the partial unique indexes on ledger_entries (bill_id),
--   one per kind, cannot serve a check that asks for any kind);
-- - every registration deletes pending logins older than a day: each scanned readings and
--   readings_raw (12 million rows each in a town of a million accounts) for `created_by` and
--   `submitted_by`.
-- Partial (NOT NULL) where most rows have none, so the big tables' inserts barely pay for them.

CREATE INDEX ledger_entries_bill_id_fk_idx ON ledger_entries (bill_id) WHERE bill_id IS NOT NULL;
CREATE INDEX payment_allocations_bill_id_fk_idx ON payment_allocations (bill_id) WHERE bill_id IS NOT NULL;
CREATE INDEX tickets_bill_id_fk_idx ON tickets (bill_id) WHERE bill_id IS NOT NULL;
CREATE INDEX sessions_pending_user_id_fk_idx ON sessions (pending_user_id) WHERE pending_user_id IS NOT NULL;
CREATE INDEX meters_registered_by_fk_idx ON meters (registered_by) WHERE registered_by IS NOT NULL;
CREATE INDEX meter_installations_removed_by_fk_idx ON meter_installations (removed_by) WHERE removed_by IS NOT NULL;
CREATE INDEX meter_installations_installed_by_fk_idx ON meter_installations (installed_by) WHERE installed_by IS NOT NULL;
CREATE INDEX meter_locations_recorded_by_fk_idx ON meter_locations (recorded_by) WHERE recorded_by IS NOT NULL;
CREATE INDEX readings_raw_submitted_by_fk_idx ON readings_raw (submitted_by) WHERE submitted_by IS NOT NULL;
CREATE INDEX readings_created_by_fk_idx ON readings (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX consumption_alerts_acknowledged_by_fk_idx ON consumption_alerts (acknowledged_by) WHERE acknowledged_by IS NOT NULL;
CREATE INDEX tenancies_added_by_fk_idx ON tenancies (added_by) WHERE added_by IS NOT NULL;
CREATE INDEX tenancies_ended_by_fk_idx ON tenancies (ended_by) WHERE ended_by IS NOT NULL;
CREATE INDEX tariff_versions_created_by_fk_idx ON tariff_versions (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX bill_runs_created_by_fk_idx ON bill_runs (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX bill_runs_discarded_by_fk_idx ON bill_runs (discarded_by) WHERE discarded_by IS NOT NULL;
CREATE INDEX bill_runs_approved_by_fk_idx ON bill_runs (approved_by) WHERE approved_by IS NOT NULL;
CREATE INDEX credit_notes_issued_by_fk_idx ON credit_notes (issued_by) WHERE issued_by IS NOT NULL;
CREATE INDEX payments_verified_by_fk_idx ON payments (verified_by) WHERE verified_by IS NOT NULL;
CREATE INDEX payments_created_by_fk_idx ON payments (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX disputes_decided_by_fk_idx ON disputes (decided_by) WHERE decided_by IS NOT NULL;
CREATE INDEX disputes_raised_by_fk_idx ON disputes (raised_by) WHERE raised_by IS NOT NULL;
CREATE INDEX tickets_opened_by_fk_idx ON tickets (opened_by) WHERE opened_by IS NOT NULL;
CREATE INDEX tickets_assignee_id_fk_idx ON tickets (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX ticket_events_user_id_fk_idx ON ticket_events (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX meter_commands_created_by_fk_idx ON meter_commands (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX vending_keys_loaded_by_fk_idx ON vending_keys (loaded_by) WHERE loaded_by IS NOT NULL;
CREATE INDEX prepaid_tokens_issued_by_fk_idx ON prepaid_tokens (issued_by) WHERE issued_by IS NOT NULL;
CREATE INDEX read_rounds_requested_by_fk_idx ON read_rounds (requested_by) WHERE requested_by IS NOT NULL;
