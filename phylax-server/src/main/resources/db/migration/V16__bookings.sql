-- Who is booked when: one row per Practitioner or Location taking part in an Appointment that has
-- a start and an end, derived from the Appointment's current version on every write, in the same
-- transaction. The time range is kept in clear, next to surrogate ids only, because the database
-- has to compare it: an Appointment that holds its participants' time (booked, arrived,
-- checked-in) may not overlap another that holds the time of the same practitioner or room, and
-- the exclusion constraint below decides that even when two bookings race. Rows of appointments
-- that no longer hold time (fulfilled, for the access window) keep holds = false.
create extension if not exists btree_gist;

create table record_booking (
    resource_id uuid      not null references record_resource (id),
    patient_id  uuid      not null,
    actor_id    uuid      not null,
    during      tstzrange not null check (not isempty(during)),
    holds       boolean   not null,
    constraint record_booking_no_overlap
        exclude using gist (actor_id with =, during with &&) where (holds)
);
create index record_booking_resource on record_booking (resource_id);
create index record_booking_patient on record_booking (patient_id, actor_id);
create index record_booking_actor on record_booking using gist (actor_id, during);
