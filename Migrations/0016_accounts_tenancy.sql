-- TN-1, TN-2: an owner leases a premise to registered consumers. A tenant sees the premise's
-- consumption and bills for the lease period only. Ending a lease keeps the row: history stays.
CREATE TABLE tenancies (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint      NOT NULL REFERENCES accounts (id),
    tenant_id  bigint      NOT NULL REFERENCES users (id),
    starts_on  date        NOT NULL,
    ends_on    date,
    added_by   bigint      NOT NULL REFERENCES users (id),
    ended_by   bigint      REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK ((ends_on IS NULL) = (ended_by IS NULL)),
    CHECK (tenant_id <> added_by)
);
-- One open lease per tenant and premise.
CREATE UNIQUE INDEX tenancies_open_key ON tenancies (account_id, tenant_id) WHERE ends_on IS NULL;
CREATE INDEX tenancies_tenant_idx ON tenancies (tenant_id);
CREATE INDEX tenancies_account_idx ON tenancies (account_id, starts_on DESC);
