-- User accounts (see docs/identity.md). In clear on purpose: the surrogate id, the username (it is
-- how people sign in, looked up case-insensitively), roles, status, the surrogate ids of the linked
-- Practitioner or Patient, and system timestamps. Encrypted with FieldCipher, bound to
-- ("UserAccount", id, 1, field): the display name (PHI for patients) and the TOTP secrets.
-- Accounts are never deleted: disabling is how an account ends.
create table user_account (
    id               uuid        primary key,
    username         text        not null check (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$'),
    display_name     bytea,
    practitioner_id  uuid,
    patient_id       uuid,
    status           text        not null check (status in ('active', 'disabled', 'locked')),
    locked_until     timestamptz,
    password_hash    text        not null,
    password_changed_at timestamptz not null,
    totp_secret      bytea,      -- confirmed TOTP secret, FieldCipher ciphertext
    totp_pending     bytea,      -- secret of an enrollment not yet confirmed
    totp_enrolled_at timestamptz,
    totp_last_step   bigint,     -- last accepted TOTP time step: a code is never accepted twice
    version          bigint      not null check (version >= 1),
    created_at       timestamptz not null,
    created_by       text        not null,
    updated_at       timestamptz not null,
    updated_by       text        not null,
    check (practitioner_id is null or patient_id is null),
    check ((status = 'locked') = (locked_until is not null)),
    check ((totp_secret is null) = (totp_enrolled_at is null))
);
create unique index user_account_username on user_account (lower(username));

create table user_account_role (
    account_id uuid not null references user_account (id),
    role       text not null check (role in ('physician', 'nurse', 'front_desk', 'billing',
                                             'compliance_officer', 'admin', 'patient')),
    primary key (account_id, role)
);

-- Every version of an account's administrative state (no secrets, no display name): who changed
-- what and when. Only inserted into.
create table user_account_history (
    account_id      uuid        not null references user_account (id),
    version         bigint      not null,
    change          text        not null,
    username        text        not null,
    roles           text        not null,
    status          text        not null,
    locked_until    timestamptz,
    practitioner_id uuid,
    patient_id      uuid,
    mfa_enrolled    boolean     not null,
    changed_at      timestamptz not null,
    changed_by      text        not null,
    primary key (account_id, version)
);

-- Failed sign-in attempts (password or second factor) still inside the lockout window.
create table user_account_failure (
    account_id uuid        not null references user_account (id),
    failed_at  timestamptz not null
);
create index user_account_failure_account on user_account_failure (account_id, failed_at);

-- One-time recovery codes: SHA-256 of (account id, code); each code carries 80 random bits.
create table user_account_recovery_code (
    account_id uuid        not null references user_account (id),
    code_hash  bytea       not null,
    created_at timestamptz not null,
    used_at    timestamptz,
    primary key (account_id, code_hash)
);

-- A password accepted, the second factor still to come: an unguessable id the sign-in pages keep
-- in the session, valid for a few minutes.
create table sign_in_challenge (
    id         uuid        primary key,
    account_id uuid        not null references user_account (id),
    created_at timestamptz not null,
    expires_at timestamptz not null
);
create index sign_in_challenge_account on sign_in_challenge (account_id);

-- Accounts are disabled, never deleted; their history is only appended to.
create function user_account_keep() returns trigger language plpgsql as $$
begin
    raise exception 'user accounts are never deleted and their history never changes: % on % refused',
        tg_op, tg_table_name using errcode = 'insufficient_privilege';
end;
$$;
create trigger user_account_no_delete before delete on user_account
    for each row execute function user_account_keep();
create trigger user_account_history_no_change before update or delete on user_account_history
    for each row execute function user_account_keep();
