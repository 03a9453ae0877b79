/**
 * Appointment reminders by email (docs/scheduling-reminders.md): a periodic pass finds the booked
 * appointments that start within the lead time (24 hours by default) from the booking rows, which
 * are in clear, decrypts only those, and emails each patient once through SMTP with the minimum
 * necessary — first name, local time, place or "video visit", and a link — never the reason for the
 * visit. Each reminder is audited as a disclosure before it leaves. {@link
 * org.phylax.reminders.AppointmentReminders} runs a pass on demand.
 */
package org.phylax.reminders;
