-- Alerts for the compliance officer (see docs/alerts.md), raised from the access module's events.
-- Ids and codes only, in clear: no PHI value is kept here except the acknowledgement note, which
-- is FieldCipher ciphertext bound to ("Alert", id, 1, "note").
create table alert (
    seq              bigint      generated always as identity unique, -- order raised: the list's
    id               uuid        primary key,                         -- order and its cursor
    created_at       timestamptz not null,
    raised_at        timestamptz not null,
    severity         text        not null check (severity in ('HIGH', 'MEDIUM', 'LOW')),
    kind             text        not null check (kind in ('ACCESS_DENIED', 'BREAK_GLASS')),
    account_id       uuid,
    actor            text,
    roles            text        not null,  -- role keys, sorted, comma-separated
    patient_id       uuid,
    resource_type    text,
    action           text,
    rule             text,
    grant_id         uuid,
    grant_expires_at timestamptz,
    overrides_consent_denial boolean not null,
    source_ip        text,
    status           text        not null check (status in ('OPEN', 'ACKNOWLEDGED')),
    acknowledged_by  uuid,
    acknowledged_at  timestamptz,
    note             bytea,
    check ((status = 'ACKNOWLEDGED')
           = (acknowledged_by is not null and acknowledged_at is not null and note is not null)),
    check ((kind = 'BREAK_GLASS') = (grant_id is not null))
);
create index alert_status on alert (status, seq);

-- An alert is never deleted, and the only change it ever sees is its acknowledgement, once (and
-- its note's re-encryption under a new key): the trigger refuses any other update, and
-- phylax_app is refused DELETE and TRUNCATE by privilege.
create function alert_acknowledge_only() returns trigger language plpgsql as $$
begin
    -- (an acknowledged alert's note may be rewritten as such: re-encryption under a new key)
    if (old.status <> 'OPEN' and (new.status, new.acknowledged_by, new.acknowledged_at)
            is distinct from (old.status, old.acknowledged_by, old.acknowledged_at))
        or new.status <> 'ACKNOWLEDGED'
        or (new.seq, new.id, new.created_at, new.raised_at, new.severity, new.kind,
            new.account_id, new.actor, new.roles, new.patient_id, new.resource_type, new.action,
            new.rule, new.grant_id, new.grant_expires_at, new.overrides_consent_denial,
            new.source_ip)
           is distinct from
           (old.seq, old.id, old.created_at, old.raised_at, old.severity, old.kind,
            old.account_id, old.actor, old.roles, old.patient_id, old.resource_type, old.action,
            old.rule, old.grant_id, old.grant_expires_at, old.overrides_consent_denial,
            old.source_ip) then
        raise exception 'an alert may only be acknowledged, once';
    end if;
    return new;
end;
$$;
create trigger alert_acknowledge_only before update on alert
    for each row execute function alert_acknowledge_only();

revoke delete, truncate on alert from phylax_app;
