-- J-LIS delivery imports and the city's 外字 table.

-- imports: one row per imported file (dry runs are not recorded). The
-- SHA-256 makes "this exact file was already imported" visible to staff.
CREATE TABLE imports (
    id         INTEGER PRIMARY KEY,
    kind       TEXT   NOT NULL,
    file_name  TEXT   NOT NULL,
    sha256     TEXT   NOT NULL,
    encoding   TEXT   NOT NULL,
    actor_id   BIGINT,
    actor      TEXT   NOT NULL,
    started_at BIGINT NOT NULL,
    rows_total INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    updated    INTEGER NOT NULL,
    unchanged  INTEGER NOT NULL,
    rejected   INTEGER NOT NULL,
    report     TEXT   NOT NULL
);
CREATE INDEX imports_sha256 ON imports (sha256);

-- gaiji: what each Private Use Area code point of this city's data means:
-- a Unicode string (an IVS sequence allowed) used for display, search and
-- export.
CREATE TABLE gaiji (
    code_point INTEGER PRIMARY KEY,
    text       TEXT   NOT NULL,
    note       TEXT   NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by TEXT   NOT NULL DEFAULT ''
);

-- import_uploads: a file uploaded on the staff page, kept between its
-- preview and the staff member's confirmation (minutes), so any server
-- instance can finish the import. Removed when used or after an hour.
CREATE TABLE import_uploads (
    id         INTEGER PRIMARY KEY,
    actor_id   BIGINT NOT NULL,
    file_name  TEXT   NOT NULL,
    content    BLOB   NOT NULL,
    created_at BIGINT NOT NULL
);
