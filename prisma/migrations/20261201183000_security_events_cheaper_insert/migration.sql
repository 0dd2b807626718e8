-- The batch insert writes every security event; these two cost it most per row for least use
-- (measured: PostgreSQL CPU per event about 35% lower without them, see bench/ingest/README.md).
--
-- The foreign key to agents ran a trigger per inserted row (a lookup and a row lock on agents). Rows only come
-- from the batch insert, which takes agent_id from the ingest_batches row it has just written, and that row's
-- foreign key is checked once per batch. Agents are revoked, never deleted; retention removes old events.
ALTER TABLE "security_events" DROP CONSTRAINT "security_events_agent_id_fkey";

-- No query needs it: events by agent are read newest first (the primary key), counts by agent go by IP or time.
DROP INDEX "security_events_agent_id_time_idx";
