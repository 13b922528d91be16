-- BL-3: the median use of similar premises (same category, same area) in each billed month, worked
-- out once when the month's run is issued, so a bill page reads one row instead of a month's bills.
-- Only actual (not estimated) bills count.
CREATE TABLE similar_use (
    period       date    NOT NULL CHECK (extract(day FROM period) = 1),
    category     text    NOT NULL,
    area         text    NOT NULL,
    premises     integer NOT NULL CHECK (premises > 0),
    median_units bigint  NOT NULL CHECK (median_units >= 0),
    PRIMARY KEY (period, category, area)
);
