-- The platform's catalog (issue #20): the cities one deployment serves and
-- where each city's data lives. Nothing about residents is kept here.
CREATE TABLE cities (
    code       TEXT PRIMARY KEY,          -- 地方公共団体コード with its check digit
    slug       TEXT NOT NULL UNIQUE,      -- /{slug}/ in the URLs
    name       TEXT NOT NULL,
    db         TEXT NOT NULL,             -- the city's database: a SQLite path or a postgres:// URL
    key_file   TEXT NOT NULL,             -- the city's own data key
    status     TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- What operators did, city by city (the cities are kept apart: a removed
-- city's events stay, its data and key do not).
CREATE TABLE catalog_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    city_code TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
