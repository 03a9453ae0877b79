-- Appointment reminders (docs/scheduling-reminders.md): one row per appointment that a reminder
-- pass has taken up, keyed by the appointment's id. A pass claims the row with SELECT ... FOR
-- UPDATE SKIP LOCKED and keeps the lock while it sends, so two servers never send the same
-- reminder at once; the row says 'sent' only in the transaction that sent it (at-least-once: a
-- crash between the SMTP server's acceptance and the commit sends it again on the next pass).
-- starts_at is the start the reminder is for: a rescheduled appointment is reminded again.
-- Nothing here is PHI: surrogate ids, times, a state and a count.
create table reminder_sent (
    appointment_id uuid        primary key,
    starts_at      timestamptz not null,
    state          text        not null check (state in ('pending', 'sent', 'skipped')),
    attempts       integer     not null default 0,
    next_attempt   timestamptz not null,
    updated_at     timestamptz not null
);

-- The reminder pass asks which holding bookings start within the next hours.
create index record_booking_start on record_booking (lower(during)) where holds;
