-- Personal-data duties (UU 27/2022): when a person's data was erased at
-- their request, and when the retention rule removed the personal details
-- of a closed report or an old registration. The rows stay, without the
-- details, so that the regency's numbers (KLA evidence) stay right.

-- Set when the person asked "hapus data saya": the row stays only because
-- reports and registrations refer to it; it names no one any more.
ALTER TABLE users ADD COLUMN erased_at TEXT;

-- Set when the reporter's identity was removed from a report (the reporter
-- erased their data, or the retention rule detached them).
ALTER TABLE reports ADD COLUMN reporter_erased_at TEXT;

-- Set when the retention rule removed a closed report's story, place
-- details, notes and evidence files.
ALTER TABLE reports ADD COLUMN purged_at TEXT;

-- Set when a registration's name, phone and answers were removed (erasure
-- or retention); age, village and attendance stay for the counts.
ALTER TABLE registrations ADD COLUMN purged_at TEXT;
