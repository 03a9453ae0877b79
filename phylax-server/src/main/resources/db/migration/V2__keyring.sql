-- The keyring: Phylax's data keysets, each sealed (encrypted) by the operator's master key.
-- One row. `generation` goes up at every change so that running nodes notice and reload.
create table keyring (
    id                 uuid        primary key,
    generation         bigint      not null,
    kek_fingerprint    text        not null,
    sealed_by_dev_key  boolean     not null,
    encryption_keyset  bytea       not null,
    blind_index_keyset bytea       not null,
    audit_keyset       bytea       not null,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);

-- When each encryption key was made primary or retired (key ids are Tink's, unsigned 32-bit).
create table keyring_event (
    at      timestamptz not null default now(),
    action  text        not null,
    key_id  bigint,
    detail  text
);
