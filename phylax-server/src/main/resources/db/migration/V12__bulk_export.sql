-- FHIR Bulk Data export ($export). A job's state is kept here so that it survives a restart and
-- goes on from the last page it wrote; its NDJSON files are kept here too, in parts, each part
-- AES-256-GCM ciphertext bound to (BulkExport, job id, part, file name). In clear: ids, type
-- names, counts, times and the token subject that asked (an account id or client:<id>).
create table fhir_export_job (
    id               uuid        primary key,
    owner            text        not null,
    owner_scopes     text        not null,
    level            text        not null check (level in ('system', 'patient')),
    types            text        not null,
    since            timestamptz,
    request          text        not null,
    status           text        not null check (status in ('running', 'complete', 'failed')),
    type_index       int         not null default 0,
    after_id         uuid,
    exported         bigint      not null default 0,
    error            text,
    created_at       timestamptz not null,
    completed_at     timestamptz,
    expires_at       timestamptz
);
create index fhir_export_job_expiry on fhir_export_job (expires_at);

create table fhir_export_file (
    job_id         uuid    not null references fhir_export_job (id) on delete cascade,
    resource_type  text    not null,
    part           int     not null check (part >= 1),
    count          int     not null check (count >= 1),
    body           bytea   not null,
    key_id         bigint  not null,
    primary key (job_id, resource_type, part)
);
create index fhir_export_file_key on fhir_export_file (key_id);

-- The patients whose data a job wrote, with the first type that held them: each gets one EXPORT
-- audit event when the job completes, before its files can be downloaded.
create table fhir_export_patient (
    job_id         uuid    not null references fhir_export_job (id) on delete cascade,
    patient_id     uuid    not null,
    resource_type  text    not null,
    primary key (job_id, patient_id)
);
