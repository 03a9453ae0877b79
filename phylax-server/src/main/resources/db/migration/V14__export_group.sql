-- Group-level export ($export on Group/<id>): the job names its Group, whose members are read again
-- (as the owner stands then) when a stopped server resumes the job.
alter table fhir_export_job add column group_id uuid;
alter table fhir_export_job drop constraint fhir_export_job_level_check;
alter table fhir_export_job add constraint fhir_export_job_level_check
    check (level in ('system', 'patient', 'group') and (level = 'group') = (group_id is not null));
