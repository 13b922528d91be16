-- Web (ID-8): what a person sees in their list of sessions: which browser, from where.
ALTER TABLE sessions
    ADD COLUMN user_agent text CHECK (length(user_agent) <= 300),
    ADD COLUMN client_address text CHECK (length(client_address) <= 45);
