package org.phylax.disclosures.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditCursor;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditQuery;
import org.phylax.audit.AuditSearch;
import org.phylax.disclosures.AccessEntry;
import org.phylax.disclosures.AccessReports;
import org.springframework.stereotype.Component;

/**
 * The report from {@link AuditSearch}: the patient's events of the actions that touch a record,
 * keeping those permitted or successful and made by someone else. Leaving events out happens after
 * the search, so one page of the report may take a few pages of the log; the cursor handed on is
 * the audit log's own, at the last event looked at, so that nothing is skipped or shown twice.
 */
@Component
class AuditAccessReports implements AccessReports {

  /** The actions that read or change a patient's record. */
  static final AuditAction[] RECORD_ACTIONS = {
    AuditAction.READ,
    AuditAction.VREAD,
    AuditAction.SEARCH,
    AuditAction.HISTORY,
    AuditAction.EXPORT,
    AuditAction.CREATE,
    AuditAction.UPDATE,
    AuditAction.DELETE,
    AuditAction.BREAK_GLASS
  };

  /** Searches of the log per report page, at most; then the page ends short, with a cursor. */
  private static final int MAX_SEARCHES = 5;

  private final AuditSearch search;
  private final WorkforceDirectory directory;

  AuditAccessReports(AuditSearch search, WorkforceDirectory directory) {
    this.search = search;
    this.directory = directory;
  }

  @Override
  public Page report(
      UUID patientId, UUID selfAccount, int limit, String cursor, AuditSearch.Reader reader) {
    if (patientId == null) {
      throw new IllegalArgumentException("a report is about a patient");
    }
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_PAGE_SIZE + ", not " + limit);
    }
    String self = selfAccount == null ? null : selfAccount.toString();
    int batch = Math.min(AuditQuery.MAX_PAGE_SIZE, Math.max(50, 2 * (limit + 1)));
    Map<String, Optional<WorkforceDirectory.Person>> people = new HashMap<>();
    List<AccessEntry> entries = new ArrayList<>();
    String after = cursor;
    for (int searches = 0; searches < MAX_SEARCHES; searches++) {
      AuditSearch.Page page =
          search.search(
              AuditQuery.builder()
                  .patient(patientId)
                  .action(RECORD_ACTIONS)
                  .pageSize(batch)
                  .after(after)
                  .build(),
              reader);
      for (AuditSearch.Entry e : page.entries()) {
        AuditEvent event = e.event();
        String here = new AuditCursor(event.occurredAt(), e.seq()).encode();
        if (!shown(event, self)) {
          after = here;
          continue;
        }
        if (entries.size() == limit) {
          // One more exists: the next page starts after the last entry shown.
          return new Page(entries, Optional.of(after));
        }
        entries.add(entry(event, people));
        after = here;
      }
      if (page.next().isEmpty()) {
        return new Page(entries, Optional.empty());
      }
      after = page.next().get();
    }
    return new Page(entries, Optional.of(after));
  }

  private static boolean shown(AuditEvent event, String self) {
    boolean allowed =
        event.outcome() == AuditEvent.Outcome.PERMIT
            || event.outcome() == AuditEvent.Outcome.SUCCESS;
    String actor = event.actorUser();
    boolean own = self != null && self.equals(actor);
    boolean maintenance = actor != null && actor.startsWith("system:");
    return allowed && !own && !maintenance;
  }

  private AccessEntry entry(
      AuditEvent event, Map<String, Optional<WorkforceDirectory.Person>> people) {
    String actor = event.actorUser();
    Optional<WorkforceDirectory.Person> person =
        actor == null ? Optional.empty() : people.computeIfAbsent(actor, this::lookUp);
    String name = person.map(WorkforceDirectory.Person::name).orElse(null);
    if (name == null && actor != null && !actor.startsWith("client:")) {
      name = actor; // an operator's OS account, or an account since removed: its id
    }
    String client = event.clientId();
    if (client == null && actor != null && actor.startsWith("client:")) {
      client = actor.substring("client:".length());
    }
    return new AccessEntry(
        event.occurredAt(),
        name,
        client,
        roles(event.actorRole()),
        person.map(WorkforceDirectory.Person::organizations).orElse(List.of()),
        event.action(),
        event.entityType(),
        event.purposeOfUse(),
        event.outcomeReason(),
        event.justification());
  }

  private Optional<WorkforceDirectory.Person> lookUp(String actor) {
    try {
      return directory.person(UUID.fromString(actor));
    } catch (IllegalArgumentException notAnAccount) {
      return Optional.empty();
    }
  }

  private static List<String> roles(String actorRole) {
    if (actorRole == null || actorRole.isBlank()) {
      return List.of();
    }
    return Arrays.stream(actorRole.split(","))
        .map(String::strip)
        .filter(r -> !r.isEmpty())
        .toList();
  }
}
