-- The role the application works as (see docs/audit.md, "Who may write the log").
--
-- Migrations run as the database owner; every pooled connection of the running application then
-- switches to phylax_app with SET ROLE. phylax_app may read and change ordinary tables, but on the
-- audit tables it may only INSERT and SELECT: the privilege system refuses an UPDATE, DELETE or
-- TRUNCATE before the append-only triggers are even asked.
--
-- Roles belong to the whole PostgreSQL cluster, so the role may exist already (another Phylax
-- database on the same server, or a DBA who created it beforehand because the owner may not
-- create roles).
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'phylax_app') then
        create role phylax_app nologin;
    end if;
    if not pg_has_role(current_user, 'phylax_app', 'member') then
        execute format('grant phylax_app to %I', current_user);
    end if;
end;
$$;

grant usage on schema public to phylax_app;

grant select, insert, update, delete on
    phylax_instance, keyring, record_resource, record_resource_history, record_search_token
    to phylax_app;

-- Append-only: events of the keyring and the audit log are only ever added.
grant select, insert on keyring_event, audit_event, audit_checkpoint to phylax_app;

grant usage, select on all sequences in schema public to phylax_app;

-- Which migrations ran may be read (health and diagnostics), not changed.
grant select on flyway_schema_history to phylax_app;

-- Tables and sequences made by later migrations (run by this owner) get the ordinary grants; a
-- later append-only table revokes update and delete from phylax_app itself.
alter default privileges in schema public
    grant select, insert, update, delete on tables to phylax_app;
alter default privileges in schema public
    grant usage, select on sequences to phylax_app;
