-- A report made by a child (a Forum Anak member, or someone who gave an
-- age under 18): staff see "pelapor anak" on its card.
ALTER TABLE reports ADD COLUMN child_reporter INTEGER NOT NULL DEFAULT 0;
-- The name a reporter gave for one report, kept with it rather than as
-- the person's own name: a staff member filing for a villager must not
-- take the villager's name everywhere else.
ALTER TABLE reports ADD COLUMN reporter_name TEXT NOT NULL DEFAULT '';
