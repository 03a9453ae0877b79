package org.phylax.fhir.internal;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Reference;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessDenied;
import org.phylax.access.Denial;
import org.phylax.access.Subject;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditLog;
import org.phylax.audit.AuditQuery;
import org.phylax.audit.AuditSearch;
import org.phylax.identity.Role;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The audit log as FHIR {@code AuditEvent} resources, read-only, for compliance officers: read by
 * sequence number and search by {@code patient}, {@code date}, {@code agent}, {@code outcome} and
 * {@code action}, newest first. Every read goes through {@link AuditSearch}, which records it
 * ({@code AUDIT_READ}) before answering; anyone else is refused (403), and that refusal is audited
 * and raises an alert like any other.
 */
final class AuditEventProvider implements IResourceProvider {

  static final String ACTION_SYSTEM = "https://phylax.example/fhir/CodeSystem/audit-action";
  static final String ACCOUNT_SYSTEM = "https://phylax.example/fhir/sid/account";
  static final String CLIENT_SYSTEM = "https://phylax.example/fhir/sid/oauth-client";
  private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
  private static final String REST = "http://terminology.hl7.org/CodeSystem/audit-event-type";
  private static final String INTERACTION = "http://hl7.org/fhir/restful-interaction";
  private static final String PURPOSE = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

  private static final Pattern DATE =
      Pattern.compile("(eq|ge|gt|le|lt)?(\\d{4}(?:-\\d{2}(?:-\\d{2}(?:T.+)?)?)?)");
  private static final Set<AuditAction> SECURITY =
      EnumSet.of(
          AuditAction.LOGIN,
          AuditAction.LOGIN_FAILED,
          AuditAction.MFA,
          AuditAction.LOGOUT,
          AuditAction.LOCKOUT,
          AuditAction.ADMIN,
          AuditAction.ACCOUNT_CREATE,
          AuditAction.ACCOUNT_DISABLE,
          AuditAction.ACCOUNT_ENABLE,
          AuditAction.ACCOUNT_UNLOCK,
          AuditAction.MFA_ENROLL,
          AuditAction.MFA_RESET,
          AuditAction.PASSWORD_CHANGE);

  private final AuditSearch audit;
  private final AuditLog log;
  private final FhirCallers callers;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  AuditEventProvider(
      AuditSearch audit,
      AuditLog log,
      FhirCallers callers,
      ApplicationEventPublisher events,
      Clock clock) {
    this.audit = audit;
    this.log = log;
    this.callers = callers;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public Class<AuditEvent> getResourceType() {
    return AuditEvent.class;
  }

  @Read
  public IBaseResource read(@IdParam IdType id, HttpServletRequest request) {
    FhirCallers.Caller caller = officer(request, AccessAction.READ);
    long seq;
    try {
      seq = Long.parseLong(id.getIdPart());
    } catch (NumberFormatException e) {
      seq = -1;
    }
    if (seq < 1) {
      throw new Outcomes.Failure(
          404, IssueType.NOTFOUND, "AuditEvent ids are the audit log's sequence numbers.");
    }
    AuditSearch.Page page =
        audit.search(AuditQuery.builder().seq(seq).pageSize(1).build(), reader(caller));
    if (page.entries().isEmpty()) {
      throw new Outcomes.Failure(404, IssueType.NOTFOUND, "AuditEvent/" + seq + " does not exist");
    }
    return toFhir(page.entries().get(0));
  }

  @Search(allowUnknownParams = true)
  public Bundle search(HttpServletRequest request, RequestDetails details) {
    FhirCallers.Caller caller = officer(request, AccessAction.SEARCH);
    Map<String, String[]> parameters = details.getParameters();
    AuditQuery.Builder query = AuditQuery.builder();
    Instant from = null;
    Instant to = null;
    Set<AuditAction> actions = EnumSet.noneOf(AuditAction.class);
    for (Map.Entry<String, String[]> p : parameters.entrySet()) {
      String name = p.getKey();
      for (String value : p.getValue()) {
        switch (name) {
          case "patient" -> {
            String id = value.startsWith("Patient/") ? value.substring(8) : value;
            UUID patient = FhirTypes.uuid(id);
            if (patient == null) {
              throw bad("patient must be Patient/<id> or <id>.");
            }
            query.patient(patient);
          }
          case "agent" -> {
            if (FhirTypes.uuid(value) == null) {
              throw bad("agent must be an account id (the audit log's user).");
            }
            query.actorUser(value);
          }
          case "date" -> {
            Instant[] range = range(value);
            if (range[0] != null && (from == null || range[0].isAfter(from))) {
              from = range[0];
            }
            if (range[1] != null && (to == null || range[1].isBefore(to))) {
              to = range[1];
            }
          }
          case "action" -> actions.addAll(actionsOf(value));
          case "outcome" -> {} // below, once the actions are known
          case "_count" -> query.pageSize(count(value));
          case "_cursor" -> query.after(value);
          default ->
              throw new Outcomes.Failure(
                  400,
                  IssueType.NOTSUPPORTED,
                  "Unknown or unsupported search parameter "
                      + (name.matches("[A-Za-z_.:-]{1,40}") ? name : "(one of them)")
                      + " for AuditEvent; supported: patient, date, agent, outcome, action,"
                      + " _count.");
        }
      }
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw bad("The date range is empty.");
    }
    query.between(from, to);
    if (!actions.isEmpty()) {
      query.action(actions.toArray(AuditAction[]::new));
    }
    String[] outcomes = parameters.get("outcome");
    if (outcomes != null) {
      if (outcomes.length != 1) {
        throw bad("outcome may be given once.");
      }
      query.outcome(outcomeOf(outcomes[0], actions));
    }
    AuditQuery built;
    try {
      built = query.build();
    } catch (IllegalArgumentException e) {
      throw bad("The search cannot be answered: " + e.getMessage());
    }
    AuditSearch.Page page = audit.search(built, reader(caller));
    Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
    String base = details.getFhirServerBase();
    for (AuditSearch.Entry entry : page.entries()) {
      AuditEvent event = toFhir(entry);
      bundle.addEntry().setFullUrl(base + "/AuditEvent/" + entry.seq()).setResource(event);
    }
    String self = base + "/AuditEvent" + query(parameters, null);
    bundle.addLink().setRelation("self").setUrl(self);
    page.next()
        .ifPresent(
            cursor ->
                bundle
                    .addLink()
                    .setRelation("next")
                    .setUrl(base + "/AuditEvent" + query(parameters, cursor)));
    return bundle;
  }

  // ---------------------------------------------------------------- who may read

  private FhirCallers.Caller officer(HttpServletRequest request, AccessAction action) {
    FhirCallers.Caller caller = callers.current(request);
    Subject subject = caller.subject();
    if (subject.isActive() && subject.has(Role.COMPLIANCE_OFFICER)) {
      return caller;
    }
    log.record(
        org.phylax.audit.AuditEvent.builder(
                AuditAction.AUDIT_READ, org.phylax.audit.AuditEvent.Outcome.DENY)
            .at(clock.instant())
            .actor(
                subject.accountId().map(UUID::toString).orElse(null),
                subject.roleKeys(),
                subject.clientId().orElse(null))
            .source(caller.client().ip(), caller.client().userAgent(), caller.client().requestId())
            .entity("AuditEvent", null, null)
            .reason(Denial.Rule.ROLE_NOT_PERMITTED.name())
            .build());
    events.publishEvent(
        new AccessDenied(
            clock.instant(),
            subject.accountId().orElse(null),
            subject.actor(),
            subject.roles().stream().map(Role::key).collect(java.util.stream.Collectors.toSet()),
            null,
            "AuditEvent",
            action,
            Denial.Rule.ROLE_NOT_PERMITTED,
            caller.client().ip()));
    throw new Outcomes.Failure(
        403,
        IssueType.FORBIDDEN,
        "Access denied (ROLE_NOT_PERMITTED): only compliance officers read the audit log. The"
            + " attempt was recorded.");
  }

  private static AuditSearch.Reader reader(FhirCallers.Caller caller) {
    Subject s = caller.subject();
    return new AuditSearch.Reader(
        s.accountId().map(UUID::toString).orElse(null),
        s.roleKeys(),
        s.clientId().orElse(null),
        caller.client().ip(),
        caller.client().userAgent(),
        caller.client().requestId(),
        "HCOMPL");
  }

  // ---------------------------------------------------------------- parameters

  /** {@code [from, to)} of one date parameter; a bound the prefix leaves open is null. */
  static Instant[] range(String value) {
    Matcher m = DATE.matcher(value);
    if (!m.matches()) {
      throw bad("date must be yyyy, yyyy-MM, yyyy-MM-dd or an instant, with eq, ge, gt, le or lt.");
    }
    String prefix = m.group(1) == null ? "eq" : m.group(1);
    String text = m.group(2);
    Instant start;
    Instant end;
    try {
      if (text.length() == 4) {
        start = LocalDate.of(Integer.parseInt(text), 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
        end =
            LocalDate.of(Integer.parseInt(text) + 1, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
      } else if (text.length() == 7) {
        YearMonth month = YearMonth.parse(text);
        start = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        end = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      } else if (text.length() == 10) {
        LocalDate day = LocalDate.parse(text);
        start = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      } else {
        start = OffsetDateTime.parse(text).toInstant();
        end = start.plus(1, ChronoUnit.MICROS);
      }
    } catch (java.time.DateTimeException e) {
      throw bad("date is not a valid date or instant (an instant needs a time zone).");
    }
    return switch (prefix) {
      case "ge" -> new Instant[] {start, null};
      case "gt" -> new Instant[] {end, null};
      case "le" -> new Instant[] {null, end};
      case "lt" -> new Instant[] {null, start};
      default -> new Instant[] {start, end};
    };
  }

  /** FHIR's action codes C, R, U, D, E as the audit log's actions; Phylax's own names too. */
  static Set<AuditAction> actionsOf(String value) {
    Set<AuditAction> out = EnumSet.noneOf(AuditAction.class);
    for (String code : value.split(",")) {
      switch (code) {
        case "C" -> out.add(AuditAction.CREATE);
        case "R" ->
            out.addAll(
                EnumSet.of(
                    AuditAction.READ,
                    AuditAction.VREAD,
                    AuditAction.SEARCH,
                    AuditAction.HISTORY,
                    AuditAction.AUDIT_READ));
        case "U" -> out.add(AuditAction.UPDATE);
        case "D" -> out.add(AuditAction.DELETE);
        case "E" -> {
          for (AuditAction a : AuditAction.values()) {
            if (fhirAction(a) == AuditEventAction.E) {
              out.add(a);
            }
          }
        }
        default -> {
          try {
            out.add(AuditAction.valueOf(code));
          } catch (IllegalArgumentException e) {
            throw bad("action must be C, R, U, D or E, or one of the audit log's action names.");
          }
        }
      }
    }
    return out;
  }

  /**
   * 0 is success: PERMIT for access events, SUCCESS for security events (sign-in, accounts), so the
   * actions asked for decide which; 4 (minor failure) is a refusal (DENY); 8 (serious failure) is a
   * failed security event (FAILURE).
   */
  static org.phylax.audit.AuditEvent.Outcome outcomeOf(String value, Set<AuditAction> actions) {
    return switch (value) {
      case "0" ->
          !actions.isEmpty() && SECURITY.containsAll(actions)
              ? org.phylax.audit.AuditEvent.Outcome.SUCCESS
              : org.phylax.audit.AuditEvent.Outcome.PERMIT;
      case "4" -> org.phylax.audit.AuditEvent.Outcome.DENY;
      case "8" -> org.phylax.audit.AuditEvent.Outcome.FAILURE;
      default -> throw bad("outcome must be 0, 4 or 8.");
    };
  }

  private static int count(String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= AuditQuery.MAX_PAGE_SIZE) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw bad("_count must be a number from 1 to " + AuditQuery.MAX_PAGE_SIZE + ".");
  }

  private static String query(Map<String, String[]> parameters, String cursor) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String[]> p : parameters.entrySet()) {
      if (p.getKey().equals("_cursor")) {
        continue;
      }
      for (String v : p.getValue()) {
        out.append(out.isEmpty() ? "?" : "&")
            .append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    if (cursor != null) {
      out.append(out.isEmpty() ? "?" : "&")
          .append("_cursor=")
          .append(URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  private static Outcomes.Failure bad(String message) {
    return new Outcomes.Failure(400, IssueType.INVALID, message);
  }

  // ---------------------------------------------------------------- mapping

  static AuditEventAction fhirAction(AuditAction action) {
    return switch (action) {
      case CREATE, ACCOUNT_CREATE -> AuditEventAction.C;
      case READ, VREAD, SEARCH, HISTORY, AUDIT_READ, DISCLOSE -> AuditEventAction.R;
      case UPDATE,
          ACCOUNT_DISABLE,
          ACCOUNT_ENABLE,
          ACCOUNT_UNLOCK,
          MFA_ENROLL,
          MFA_RESET,
          PASSWORD_CHANGE ->
          AuditEventAction.U;
      case DELETE -> AuditEventAction.D;
      default -> AuditEventAction.E;
    };
  }

  static AuditEvent toFhir(AuditSearch.Entry entry) {
    org.phylax.audit.AuditEvent e = entry.event();
    AuditEvent out = new AuditEvent();
    out.setId(new IdType("AuditEvent", Long.toString(entry.seq())));
    out.setType(type(e.action()));
    Coding interaction = interaction(e.action());
    if (interaction != null) {
      out.addSubtype(interaction);
    }
    out.addSubtype(new Coding(ACTION_SYSTEM, e.action().name(), null));
    out.setAction(fhirAction(e.action()));
    out.setRecorded(Date.from(e.occurredAt()));
    out.setOutcome(
        switch (e.outcome()) {
          case PERMIT, SUCCESS -> AuditEventOutcome._0;
          case DENY -> AuditEventOutcome._4;
          case FAILURE -> AuditEventOutcome._8;
        });
    if (e.outcomeReason() != null) {
      out.setOutcomeDesc(e.outcome().name() + " " + e.outcomeReason());
    } else {
      out.setOutcomeDesc(e.outcome().name());
    }
    if (e.purposeOfUse() != null) {
      out.addPurposeOfEvent(new CodeableConcept(new Coding(PURPOSE, e.purposeOfUse(), null)));
    }
    if (e.actorUser() != null || e.clientId() == null) {
      AuditEvent.AuditEventAgentComponent user = out.addAgent().setRequestor(true);
      if (e.actorUser() != null) {
        user.setWho(
            new Reference()
                .setIdentifier(new Identifier().setSystem(ACCOUNT_SYSTEM).setValue(e.actorUser())));
      }
      if (e.actorRole() != null && !e.actorRole().isBlank()) {
        for (String role : e.actorRole().split(",")) {
          user.addRole(new CodeableConcept(new Coding(ACCOUNT_SYSTEM + "/role", role, null)));
        }
      }
      network(user, e);
    }
    if (e.clientId() != null) {
      AuditEvent.AuditEventAgentComponent client =
          out.addAgent().setRequestor(e.actorUser() == null);
      client.setWho(
          new Reference()
              .setIdentifier(new Identifier().setSystem(CLIENT_SYSTEM).setValue(e.clientId())));
      client.setType(new CodeableConcept(new Coding(DCM, "110150", "Application")));
      if (e.actorUser() == null) {
        network(client, e);
      }
    }
    out.getSource().setSite("Phylax").setObserver(new Reference().setDisplay("Phylax server"));
    if (e.requestId() != null) {
      out.getSource()
          .getObserver()
          .setIdentifier(
              new Identifier().setSystem("urn:phylax:request-id").setValue(e.requestId()));
    }
    if (e.patientId() != null) {
      AuditEvent.AuditEventEntityComponent patient = out.addEntity();
      patient.setWhat(new Reference("Patient/" + e.patientId()));
      patient.setType(
          new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"));
      patient.setRole(
          new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"));
    }
    if (e.entityType() != null) {
      AuditEvent.AuditEventEntityComponent what = out.addEntity();
      Reference reference = new Reference();
      if (e.entityId() != null) {
        reference.setReference(
            e.entityType()
                + "/"
                + e.entityId()
                + (e.entityVersion() == null ? "" : "/_history/" + e.entityVersion()));
      } else {
        reference.setType(e.entityType());
      }
      what.setWhat(reference);
      what.setType(
          new Coding(
              "http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
    }
    return out;
  }

  private static void network(
      AuditEvent.AuditEventAgentComponent agent, org.phylax.audit.AuditEvent e) {
    if (e.sourceIp() != null) {
      agent.getNetwork().setAddress(e.sourceIp()).setType(AuditEvent.AuditEventAgentNetworkType._2);
    }
  }

  private static Coding type(AuditAction action) {
    return switch (action) {
      case LOGIN, LOGIN_FAILED, MFA, LOGOUT, LOCKOUT ->
          new Coding(DCM, "110114", "User Authentication");
      case EXPORT, DISCLOSE -> new Coding(DCM, "110106", "Export");
      case AUDIT_READ -> new Coding(DCM, "110101", "Audit Log Used");
      case BREAK_GLASS -> new Coding(DCM, "110113", "Security Alert");
      case ADMIN,
          ACCOUNT_CREATE,
          ACCOUNT_DISABLE,
          ACCOUNT_ENABLE,
          ACCOUNT_UNLOCK,
          MFA_ENROLL,
          MFA_RESET,
          PASSWORD_CHANGE ->
          new Coding(DCM, "110136", "Security Roles Changed");
      default -> new Coding(REST, "rest", "RESTful Operation");
    };
  }

  private static Coding interaction(AuditAction action) {
    String code =
        switch (action) {
          case CREATE -> "create";
          case READ -> "read";
          case VREAD -> "vread";
          case UPDATE -> "update";
          case DELETE -> "delete";
          case SEARCH -> "search-type";
          case HISTORY -> "history-instance";
          default -> null;
        };
    return code == null ? null : new Coding(INTERACTION, code, code);
  }
}
