-- A report made by a child (a Forum Anak member, or someone who gave an
-- age under 18): staff see "pelapor anak" on its card.
ALTER TABLE reports ADD COLUMN child_reporter INTEGER NOT NULL DEFAULT 0;
