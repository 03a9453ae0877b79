-- The audit log: append-only, hash-chained (see docs/audit.md).
create table audit_event (
    seq                  bigint      primary key,
    occurred_at          timestamptz not null,
    actor_user           text,
    actor_role           text,
    client_id            text,
    source_ip            text,
    user_agent           text,
    request_id           text,
    action               text        not null,
    entity_type          text,
    entity_id            text,
    entity_version       bigint,
    patient_id           uuid,
    purpose_of_use       text,
    outcome              text        not null,
    outcome_reason       text,
    justification        bytea,      -- break-glass reason, FieldCipher ciphertext
    prev_hash            bytea       not null,
    hash                 bytea       not null
);
create index audit_event_patient on audit_event (patient_id, occurred_at);
create index audit_event_actor on audit_event (actor_user, occurred_at);
create index audit_event_time on audit_event (occurred_at);

-- Signed Merkle tree heads over the event hashes.
create table audit_checkpoint (
    tree_size   bigint      primary key,
    root_hash   bytea       not null,
    signed_note text        not null,
    created_at  timestamptz not null default now()
);

-- Nobody edits the log, not even the owner: only a superuser who disables triggers can, and the
-- hash chain and signed checkpoints are there to catch that.
create function audit_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the audit log is append-only: % on % refused', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_event_no_update before update or delete on audit_event
    for each row execute function audit_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_append_only();
create trigger audit_checkpoint_no_update before update or delete on audit_checkpoint
    for each row execute function audit_append_only();
create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
    for each statement execute function audit_append_only();
