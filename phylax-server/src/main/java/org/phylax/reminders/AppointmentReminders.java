package org.phylax.reminders;

/**
 * Sends the reminders that are due: one email per booked appointment that starts within the lead
 * time ({@code phylax.reminders.lead}), to the patient's email address, at least once and, unless
 * the server stops between the SMTP server's acceptance and the commit, exactly once — also when
 * several servers run passes at the same time. The server runs a pass every {@code
 * phylax.reminders.poll}; nothing is sent when no SMTP server is configured ({@code
 * spring.mail.host}).
 */
public interface AppointmentReminders {

  /** Runs one pass now and says what became of the due appointments it took up. */
  Pass remindDue();

  /**
   * What one pass did: reminders sent; appointments settled without a reminder (no email address,
   * no longer booked); deliveries that failed and will be tried again after {@code
   * phylax.reminders.retry}; and due appointments another server was working on.
   */
  record Pass(int sent, int skipped, int failed, int busy) {
    public static final Pass NONE = new Pass(0, 0, 0, 0);
  }
}
