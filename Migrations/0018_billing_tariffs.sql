-- BL-1: one tariff per account category, versioned by the day it takes effect. A version is
-- never changed once saved (old bills keep the version they were made with): a change is a new
-- version. Its rules are the JSON of Billing.TariffRules, checked by the application before saving.
CREATE TABLE tariffs (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category text   NOT NULL UNIQUE CHECK (category IN ('residential', 'commercial', 'industrial')),
    name     text   NOT NULL CHECK (length(name) BETWEEN 1 AND 80)
);

CREATE TABLE tariff_versions (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tariff_id      bigint      NOT NULL REFERENCES tariffs (id),
    effective_from date        NOT NULL,
    rules          jsonb       NOT NULL CHECK (jsonb_typeof(rules) = 'object' AND rules ? 'blockMode' AND rules ? 'blockTables'),
    note           text        CHECK (length(note) BETWEEN 1 AND 500),
    created_by     bigint      REFERENCES users (id),
    created_at     timestamptz NOT NULL,
    UNIQUE (tariff_id, effective_from)
);
CREATE TRIGGER tariff_versions_append_only BEFORE UPDATE OR DELETE ON tariff_versions
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- The fuel cost adjustment changes monthly, apart from the tariff's versions: per unit (a rate in
-- ten-thousandths of a minor unit) or a percentage of the energy charge (parts per million).
CREATE TABLE fuel_adjustments (
    category text   NOT NULL CHECK (category IN ('residential', 'commercial', 'industrial')),
    month    date   NOT NULL CHECK (extract(day FROM month) = 1),
    kind     text   NOT NULL CHECK (kind IN ('per_unit', 'percent_of_energy')),
    value    bigint NOT NULL CHECK (value BETWEEN -100000000 AND 100000000),
    PRIMARY KEY (category, month)
);

-- Fixed charges per kW need the load the utility sanctioned for the premise, in tenths of a kW.
ALTER TABLE accounts ADD COLUMN sanctioned_load_tenths_kw integer CHECK (sanctioned_load_tenths_kw BETWEEN 1 AND 1000000);
