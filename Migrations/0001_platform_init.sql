-- Platform: shared database facilities.

-- Append-only tables (raw readings, ledger, audit log) attach this trigger so that no UPDATE or
-- DELETE can change history, whoever the database user is.
CREATE FUNCTION forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
