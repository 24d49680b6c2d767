-- A city may also answer on a host name of its own (sanda.example.lg.jp):
-- the platform routes a request to the city its Host header names.
ALTER TABLE cities ADD COLUMN host TEXT;
CREATE UNIQUE INDEX cities_host ON cities (host) WHERE host IS NOT NULL;
