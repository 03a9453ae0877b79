package org.phylax.reminders.internal;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.phylax.platform.ConfigurationProblem;

/**
 * How reminders go out: {@code lead} before the start ({@code phylax.reminders.lead}, 24 hours),
 * again after {@code retry} when the SMTP server refused or was away ({@code
 * phylax.reminders.retry}, 5 minutes), times shown in {@code zone} when neither the Location nor
 * the Schedule names one ({@code phylax.reminders.zone}, UTC), sent as {@code from} ({@code
 * phylax.reminders.from}), linking to {@code link} ({@code phylax.web.base-url} + {@code
 * /me/appointments}).
 */
record ReminderSettings(Duration lead, Duration retry, ZoneId zone, String from, String link) {

  static final String APPOINTMENTS_PATH = "/me/appointments";

  ReminderSettings {
    List<String> problems = new ArrayList<>();
    if (lead == null || lead.isNegative() || lead.isZero()) {
      problems.add("phylax.reminders.lead: must be a positive duration (e.g. 24h)");
    }
    if (retry == null || retry.isNegative()) {
      problems.add("phylax.reminders.retry: must be a duration of zero or more (e.g. 5m)");
    }
    if (from == null || !from.contains("@")) {
      problems.add("phylax.reminders.from: must be an email address");
    }
    if (link == null || !(link.startsWith("https://") || link.startsWith("http://"))) {
      problems.add("phylax.web.base-url: must be an http or https URL");
    }
    if (zone == null) {
      problems.add("phylax.reminders.zone: must be an IANA time zone (e.g. Europe/Berlin)");
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationProblem(problems);
    }
  }

  static ReminderSettings of(
      Duration lead, Duration retry, String zone, String from, String baseUrl) {
    ZoneId zoneId;
    try {
      zoneId = ZoneId.of(zone.strip());
    } catch (DateTimeException | NullPointerException e) {
      zoneId = null;
    }
    String base = baseUrl == null ? "" : baseUrl.strip().replaceAll("/+$", "");
    return new ReminderSettings(lead, retry, zoneId, from, base + APPOINTMENTS_PATH);
  }
}
