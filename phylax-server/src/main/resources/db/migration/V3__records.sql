-- The record store. Every FHIR resource body is AES-256-GCM ciphertext bound to
-- (resource type, id, version, "body"); nothing here holds a person's data in clear. In clear on
-- purpose: surrogate ids, the resource type, versions, the patient's surrogate id (for joins and
-- access checks), the encryption key id (for re-encryption), system timestamps and actor ids.

-- The current version of each resource. A soft delete sets deleted_at/deleted_by; the row stays.
create table record_resource (
    id            uuid        primary key,
    resource_type text        not null,
    version       bigint      not null check (version >= 1),
    patient_id    uuid        not null,
    body          bytea       not null,
    key_id        bigint      not null,
    created_at    timestamptz not null,
    created_by    text        not null,
    updated_at    timestamptz not null,
    updated_by    text        not null,
    deleted_at    timestamptz,
    deleted_by    text,
    check ((deleted_at is null) = (deleted_by is null))
);
create index record_resource_patient on record_resource (patient_id, resource_type);
create index record_resource_key on record_resource (key_id);

-- Every version ever written, the current one included. Rows are only inserted; the one
-- exception is re-encryption, which rewrites body and key_id and nothing else.
create table record_resource_history (
    id            uuid        not null references record_resource (id),
    version       bigint      not null check (version >= 1),
    resource_type text        not null,
    patient_id    uuid        not null,
    body          bytea       not null,
    key_id        bigint      not null,
    created_at    timestamptz not null,
    created_by    text        not null,
    updated_at    timestamptz not null,
    updated_by    text        not null,
    deleted_at    timestamptz,
    deleted_by    text,
    primary key (id, version),
    check ((deleted_at is null) = (deleted_by is null))
);
create index record_resource_history_key on record_resource_history (key_id);

-- Blind-index search tokens of the current, not deleted version of each resource: HMAC of the
-- normalized value under a per-parameter key, truncated. For dates, `year` holds the year in clear
-- (Safe Harbor keeps years) so that a range search can narrow before decrypting.
create table record_search_token (
    resource_id uuid     not null references record_resource (id),
    param       text     not null,
    token       bytea    not null,
    year        smallint
);
create index record_search_token_lookup on record_search_token (param, token);
create index record_search_token_year on record_search_token (param, year) where year is not null;
create index record_search_token_resource on record_search_token (resource_id);
