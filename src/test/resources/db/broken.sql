-- A migration step that fails half way, for MigratorTest.
CREATE TABLE half (x INT);
INSERT INTO no_such_table VALUES (1);
