-- Bookable time, kept in clear next to surrogate ids only (no patient), so that finding a
-- practitioner's free slots is one indexed statement rather than decrypting every Slot.
-- Both tables are derived from the current version of Schedule and Slot resources on every write,
-- in the same transaction, as record_booking is from Appointments.

-- The Practitioners, PractitionerRoles and Locations a Schedule is for (Schedule.actor).
create table record_schedule_actor (
    schedule_id uuid not null references record_resource (id),
    actor_id    uuid not null,
    primary key (schedule_id, actor_id)
);

-- One row per Slot: its Schedule, its time [start, end), and whether its status is free.
create table record_slot (
    resource_id uuid      primary key references record_resource (id),
    schedule_id uuid      not null,
    during      tstzrange not null check (not isempty(during)),
    free        boolean   not null
);
-- A schedule has at most one slot for a given time: generating slots again adds none twice.
create unique index record_slot_once on record_slot (schedule_id, during);
create index record_slot_free on record_slot (schedule_id, lower(during)) where free;

-- Which Appointment holds which Slot (Appointment.slot of a booked, arrived or checked-in
-- appointment). The primary key lets one appointment at most hold a slot, even when two race.
create table record_slot_booking (
    slot_id        uuid primary key,
    appointment_id uuid not null
);
create index record_slot_booking_appointment on record_slot_booking (appointment_id);
