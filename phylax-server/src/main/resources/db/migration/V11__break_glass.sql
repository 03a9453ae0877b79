-- Emergency access grants ("break-glass"). The written reason and the reviewer's note may hold
-- PHI, so they are AES-256-GCM ciphertext bound to (access_grant, id, field); ids, times and the
-- verdict stay in clear for the review queue.
create table access_grant (
    id                 uuid        primary key,
    account_id         uuid        not null,
    patient_id         uuid        not null,
    reason             bytea       not null,
    key_id             bigint      not null,
    created_at         timestamptz not null,
    expires_at         timestamptz not null check (expires_at > created_at),
    overrides_consent  boolean     not null,
    verdict            text        check (verdict in ('appropriate', 'inappropriate')),
    note               bytea,
    note_key_id        bigint,
    reviewed_by        uuid,
    reviewed_at        timestamptz,
    check ((verdict is null) = (reviewed_at is null) and (verdict is null) = (reviewed_by is null))
);
create index access_grant_active on access_grant (account_id, patient_id, expires_at);
create index access_grant_unreviewed on access_grant (created_at) where verdict is null;

-- A grant is opened once and reviewed once, and never deleted: who, whose record, when and for
-- how long never change; the verdict, reviewer and time are set once. The ciphertexts (reason,
-- note) may be rewritten, which is what re-encryption under a new key does.
create function access_grant_guard() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'access grants are never deleted';
    end if;
    if (new.id, new.account_id, new.patient_id, new.created_at, new.expires_at,
        new.overrides_consent)
       is distinct from
       (old.id, old.account_id, old.patient_id, old.created_at, old.expires_at,
        old.overrides_consent)
       or (old.verdict is not null
           and (new.verdict, new.reviewed_by, new.reviewed_at)
               is distinct from (old.verdict, old.reviewed_by, old.reviewed_at)) then
        raise exception 'an access grant changes only by its one review';
    end if;
    return new;
end $$;
create trigger access_grant_guard before update or delete on access_grant
    for each row execute function access_grant_guard();
revoke delete, truncate on access_grant from phylax_app;
