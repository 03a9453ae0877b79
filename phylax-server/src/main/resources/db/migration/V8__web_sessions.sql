-- Web sessions (see docs/identity.md, "Web sign-in and sessions"), stored by Spring Session JDBC
-- so that no application node holds a user's session: any node can serve any request.
--
-- The columns are the ones Spring Session's JdbcIndexedSessionRepository reads and writes (its
-- schema-postgresql.sql), in lower case. Times are milliseconds since the Unix epoch, as Spring
-- Session writes them. principal_name is the signed-in account's id (none before sign-in), so
-- that every session of an account can be found and ended. phylax_app gets select, insert,
-- update and delete on both tables through the default privileges of V5.
create table spring_session (
    primary_id            char(36)     not null,
    session_id            char(36)     not null,
    creation_time         bigint       not null,
    last_access_time      bigint       not null,
    max_inactive_interval int          not null,
    expiry_time           bigint       not null,
    principal_name        varchar(100),
    constraint spring_session_pk primary key (primary_id)
);

create unique index spring_session_ix1 on spring_session (session_id);
create index spring_session_ix2 on spring_session (expiry_time);
create index spring_session_ix3 on spring_session (principal_name);

-- Attribute values are Java-serialized: the security context (account id, username, roles), the
-- CSRF token, the pending sign-in challenge id, the saved request. Never a password, a TOTP secret
-- or a display name.
create table spring_session_attributes (
    session_primary_id char(36)     not null,
    attribute_name     varchar(200) not null,
    attribute_bytes    bytea        not null,
    constraint spring_session_attributes_pk primary key (session_primary_id, attribute_name),
    constraint spring_session_attributes_fk foreign key (session_primary_id)
        references spring_session (primary_id) on delete cascade
);
