-- The record store keeps directory resources (Practitioner, PractitionerRole, Organization,
-- Location) too. They belong to no patient, so patient_id may be null.
alter table record_resource alter column patient_id drop not null;
alter table record_resource_history alter column patient_id drop not null;

-- Who a patient's record is linked to, derived on every write from the current version of the
-- resource that says so (Patient.generalPractitioner and managingOrganization, an active CareTeam,
-- an active Consent) and written in the same transaction, so that the access policy sees a change
-- on the very next request. Only surrogate ids are kept; when the link holds for a period only
-- (timed), the period stays inside the encrypted resource and is checked after decryption.
create table record_link (
    resource_id uuid    not null references record_resource (id),
    patient_id  uuid    not null,
    kind        text    not null
        check (kind in ('assigned', 'managed', 'care_team', 'consent_permit', 'consent_deny')),
    actor_id    uuid    not null,
    timed       boolean not null
);
create index record_link_actor on record_link (actor_id, patient_id);
create index record_link_patient on record_link (patient_id);
create index record_link_resource on record_link (resource_id);

-- Which practitioner acts in which role for which organization (an active PractitionerRole).
create table record_affiliation (
    resource_id     uuid    not null references record_resource (id),
    practitioner_id uuid    not null,
    organization_id uuid,
    timed           boolean not null
);
create index record_affiliation_practitioner on record_affiliation (practitioner_id);
create index record_affiliation_resource on record_affiliation (resource_id);

-- An account's history is appended to, never edited: its triggers refuse changes, and from here
-- on the application's role is refused them by privilege as well.
revoke update, delete, truncate on user_account_history from phylax_app;
