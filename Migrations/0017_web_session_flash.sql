-- A one-time notice for the next page after a form post ("Reading saved."), kept with the
-- session instead of in the query string, where it could be forged in a link or bookmarked.
ALTER TABLE sessions ADD COLUMN flash text CHECK (length(flash) BETWEEN 1 AND 500);
