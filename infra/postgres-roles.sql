-- OneGo's two PostgreSQL roles, as production runs them. Run it as a superuser, once per cluster (it can run again):
--   psql "host=… user=postgres dbname=postgres" -v ON_ERROR_STOP=1 -f infra/postgres-roles.sql
-- then give both roles a password, create the database owned by the owner, and configure the server:
--   ALTER ROLE onego_owner PASSWORD '…';  ALTER ROLE onego_app PASSWORD '…';
--   CREATE DATABASE onego OWNER onego_owner;
--   Database__Provider=postgres
--   Database__OwnerConnectionString="Host=…;Database=onego;Username=onego_owner;Password=…"
--   Database__ConnectionString="Host=…;Database=onego;Username=onego_app;Password=…"
--   Database__AppRole=onego_app
-- The server migrates through the owner's connection and then grants the application's role what it needs on each
-- table (onego_grant_app): never ownership, never UPDATE, DELETE or TRUNCATE on the audit log. Outside Development it
-- refuses to start when the role it connects as is a superuser, bypasses row-level security, owns a OneGo table or may
-- change the audit log.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'onego_owner') THEN
    CREATE ROLE onego_owner;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'onego_app') THEN
    CREATE ROLE onego_app;
  END IF;
END $$;

-- The owner creates and alters the tables. Row-level security is forced on the tenant-owned tables, which binds
-- their owner too; BYPASSRLS lets a migration that moves data see every tenant's rows, and gives the owner nothing it
-- could not take anyway (an owner may switch the forcing off).
ALTER ROLE onego_owner LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;

-- The server's role: no ownership and no way around row-level security, so the policies hold for every query it runs.
-- NOINHERIT and no membership of the owner, so it cannot take on the owner's rights either.
ALTER ROLE onego_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION NOINHERIT;
DO $$
BEGIN
  IF pg_has_role('onego_app', 'onego_owner', 'MEMBER') THEN
    REVOKE onego_owner FROM onego_app;
  END IF;
END $$;
