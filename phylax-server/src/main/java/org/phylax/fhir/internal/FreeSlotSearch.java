package org.phylax.fhir.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessGate;
import org.phylax.access.AccessRequest;
import org.phylax.access.Permit;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;

/**
 * {@code GET /fhir/Slot?schedule=…&status=free&start=ge…&start=lt…}: the free Slots of one Schedule
 * by start time — free in status and not overlapping an appointment that holds the time of one of
 * the Schedule's practitioners or rooms — answered by one indexed query over the slot times kept in
 * clear. Paged by start time: a full page links to the next one with {@code start=gt} the last
 * start, so a page never shifts when slots are booked meanwhile.
 */
final class FreeSlotSearch {

  private static final Set<String> ALLOWED =
      Set.of("schedule", "status", "start", "_count", "_format", "_pretty");
  private static final Pattern SCHEDULE =
      Pattern.compile(
          "(?:Schedule/)?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
  private static final Pattern BOUND = Pattern.compile("(ge|gt|le|lt)(.+)");

  private final RecordStore store;
  private final AccessGate gate;

  FreeSlotSearch(RecordStore store, AccessGate gate) {
    this.store = store;
    this.gate = gate;
  }

  /** Whether this search is one for free slots of a schedule. */
  static boolean applies(String type, Map<String, String[]> parameters) {
    return "Slot".equals(type) && parameters.containsKey("schedule");
  }

  Bundle search(FhirCallers.Caller caller, Map<String, String[]> parameters, String base) {
    for (String name : parameters.keySet()) {
      if (!ALLOWED.contains(name)) {
        throw bad(
            "A Slot search by schedule takes schedule, status=free, start (ge, gt, le, lt) and"
                + " _count; not "
                + (name.matches("[A-Za-z0-9_.:-]{1,40}") ? name : "this parameter")
                + ".");
      }
    }
    String[] status = parameters.get("status");
    if (status == null || status.length != 1 || !"free".equals(status[0])) {
      throw bad("A Slot search by schedule needs status=free.");
    }
    String[] schedules = parameters.get("schedule");
    Matcher m = schedules.length == 1 ? SCHEDULE.matcher(schedules[0]) : null;
    if (m == null || !m.matches()) {
      throw bad("schedule is one Schedule/<id>.");
    }
    UUID schedule = UUID.fromString(m.group(1));
    Instant from = null;
    Instant to = null;
    for (String value : parameters.getOrDefault("start", new String[0])) {
      Matcher b = BOUND.matcher(value);
      if (!b.matches()) {
        throw bad("start takes ge, gt, le or lt and a date or an instant with its offset.");
      }
      Instant at = instant(b.group(2));
      switch (b.group(1)) {
        case "ge" -> from = at;
        case "gt" -> from = at.plus(1, ChronoUnit.MICROS);
        case "lt" -> to = at;
        default -> to = at.plus(1, ChronoUnit.MICROS);
      }
    }
    if (from == null || to == null) {
      throw bad("start needs a lower (ge, gt) and an upper (lt, le) bound.");
    }
    int count = FhirSearch.DEFAULT_COUNT;
    String[] counts = parameters.get("_count");
    if (counts != null && counts.length > 0) {
      try {
        count = Integer.parseInt(counts[0]);
      } catch (NumberFormatException e) {
        count = -1;
      }
      if (count < 1 || count > FhirSearch.MAX_COUNT) {
        throw bad("_count must be a whole number from 1 to " + FhirSearch.MAX_COUNT + ".");
      }
    }
    Permit permit =
        gate.enter(
            AccessRequest.of(caller.subject(), AccessAction.SEARCH, "Slot")
                .client(caller.client())
                .build());
    List<StoredResource> page = store.freeSlots(permit, schedule, from, to, count);
    Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
    String self = base + "/Slot?schedule=Schedule/" + schedule + "&status=free";
    bundle
        .addLink()
        .setRelation("self")
        .setUrl(self + "&start=ge" + enc(from) + "&start=lt" + enc(to) + "&_count=" + count);
    if (page.size() == count) {
      Instant last =
          ((org.hl7.fhir.r4.model.Slot) page.get(count - 1).resource()).getStart().toInstant();
      bundle
          .addLink()
          .setRelation("next")
          .setUrl(self + "&start=gt" + enc(last) + "&start=lt" + enc(to) + "&_count=" + count);
    }
    for (StoredResource r : page) {
      ResourceIds.set(r);
      bundle
          .addEntry()
          .setFullUrl(base + "/Slot/" + r.id())
          .setResource(r.resource())
          .getSearch()
          .setMode(Bundle.SearchEntryMode.MATCH);
    }
    return bundle;
  }

  /** An instant with its offset, or a date meaning its first moment in UTC. */
  private static Instant instant(String text) {
    // A '+' of an offset left unencoded in the query arrives as a space.
    String value = text.replace(' ', '+');
    try {
      if (value.length() == 10) {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeException e) {
      throw bad("start takes a date (YYYY-MM-DD) or an instant with its offset.");
    }
  }

  private static String enc(Instant instant) {
    return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
  }

  private static Outcomes.Failure bad(String diagnostics) {
    return new Outcomes.Failure(400, IssueType.INVALID, diagnostics);
  }
}
