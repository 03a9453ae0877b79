/**
 * Scheduling: turning a practitioner's weekly availability into bookable time. {@link
 * org.phylax.scheduling.WeeklyRule} says when a schedule is open in its own IANA time zone; {@link
 * org.phylax.scheduling.SlotPlan} turns rules into slots as UTC instants over a date range. The
 * Schedule, Slot and Appointment resources themselves live in the record store.
 */
package org.phylax.scheduling;
