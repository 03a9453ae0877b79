package org.phylax.access;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.phylax.audit.AuditAction;
import org.phylax.audit.AuditEvent;
import org.phylax.audit.AuditLog;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The access gate: policy, then the audit event (durable before the permit is returned), then on a
 * refusal the {@link AccessDenied} event for monitoring and the exception for the caller.
 */
@Component
class AuditedAccessGate implements AccessGate {

  private final RelationshipAccessPolicy policy;
  private final BreakGlass breakGlass;
  private final AuditLog audit;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  AuditedAccessGate(
      RelationshipAccessPolicy policy,
      BreakGlass breakGlass,
      AuditLog audit,
      ApplicationEventPublisher events,
      ObjectProvider<Clock> clock) {
    this.policy = policy;
    this.breakGlass = breakGlass;
    this.audit = audit;
    this.events = events;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
  }

  @Override
  public Permit enter(AccessRequest request) {
    Decision decision = policy.decide(request);
    audit.record(event(request, decision));
    return entered(request, decision).permit();
  }

  @Override
  public List<Entered> enterAll(List<AccessRequest> requests) {
    List<Decision> decisions = new ArrayList<>(requests.size());
    List<AuditEvent> events = new ArrayList<>(requests.size());
    for (AccessRequest request : requests) {
      Decision decision = policy.decide(request);
      decisions.add(decision);
      events.add(event(request, decision));
    }
    audit.recordAll(events);
    List<Entered> out = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      out.add(entered(requests.get(i), decisions.get(i)));
    }
    return out;
  }

  /** The audit event of a decided request. */
  private AuditEvent event(AccessRequest request, Decision decision) {
    String justification = null;
    String outcome = decision.outcome();
    if (decision.isPermitted() && decision.permit().get().reason() == Permit.Reason.BREAK_GLASS) {
      // The grant's written reason is the justification of every access it allows.
      Optional<BreakGlass.Grant> grant =
          request
              .subject()
              .accountId()
              .flatMap(
                  a -> breakGlass.active(a, request.patientId().orElseThrow(), clock.instant()));
      justification = grant.map(BreakGlass.Grant::reason).orElse(null);
      outcome =
          "BREAK_GLASS"
              + grant.map(g -> ":" + g.id()).orElse("")
              + (decision.overridesConsentDenial() ? ":CONSENT_DENIAL_OVERRIDDEN" : "");
    }
    return event(
            request, decision.isPermitted() ? AuditEvent.Outcome.PERMIT : AuditEvent.Outcome.DENY)
        .patient(request.patientId().orElse(null))
        .reason(outcome)
        .justification(justification)
        .build();
  }

  /** After the audit event is durable: the permit, or the refusal published. */
  private Entered entered(AccessRequest request, Decision decision) {
    if (decision.isPermitted()) {
      return new Entered(decision.permit().get(), null);
    }
    Denial denial = decision.denial().get();
    refused(request, denial);
    return new Entered(null, new AccessDeniedException(denial));
  }

  @Override
  public SearchScope search(AccessRequest request) {
    if (request.patientId().isPresent()) {
      Permit permit = enter(request);
      return new SearchScope(permit, Map.of(request.patientId().get(), permit.reason()));
    }
    Subject subject = request.subject();
    Decision decision = subject.isService() || !subject.isActive() ? policy.decide(request) : null;
    if (decision != null && !decision.isPermitted()) {
      audit.record(event(request, AuditEvent.Outcome.DENY).reason(decision.outcome()).build());
      Denial denial = decision.denial().get();
      refused(request, denial);
      throw new AccessDeniedException(denial);
    }
    if (decision != null) {
      // A backend service whose scopes cover the type sees every patient.
      audit.record(event(request, AuditEvent.Outcome.PERMIT).reason(decision.outcome()).build());
      if (request.among().isPresent()) {
        Map<UUID, Permit.Reason> among = new java.util.HashMap<>();
        request.among().get().forEach(p -> among.put(p, Permit.Reason.SERVICE));
        return new SearchScope(
            new Permit(subject.actor(), Permit.Reason.SERVICE, request.purpose(), among.keySet()),
            among);
      }
      return new SearchScope(
          new Permit(
              subject.actor(),
              Permit.Reason.SERVICE,
              request.purpose(),
              (java.util.Set<UUID>) null),
          Map.of());
    }
    Map<UUID, Permit.Reason> visible = policy.visiblePatients(subject, request);
    request.among().ifPresent(among -> visible.keySet().retainAll(among));
    Permit.Reason first = visible.values().stream().sorted().findFirst().orElse(Permit.Reason.SELF);
    audit.record(
        event(request, AuditEvent.Outcome.PERMIT).reason("SCOPE:" + visible.size()).build());
    return new SearchScope(
        new Permit(subject.actor(), first, request.purpose(), visible.keySet()), visible);
  }

  @Override
  public void disclosed(AccessRequest request, SearchScope scope, Collection<UUID> patients) {
    List<AuditEvent> events = new ArrayList<>(patients.size());
    for (UUID patient : new java.util.LinkedHashSet<>(patients)) {
      if (!scope.permit().covers(patient)) {
        throw new IllegalArgumentException("the search scope does not cover a disclosed patient");
      }
      Permit.Reason reason = scope.reasons().getOrDefault(patient, scope.permit().reason());
      events.add(
          event(request, AuditEvent.Outcome.PERMIT).patient(patient).reason(reason.name()).build());
    }
    // One wait for all of them: a page of twenty patients recorded one at a time waited for
    // twenty commits of the audit log in a row.
    if (!events.isEmpty()) {
      audit.recordAll(events);
    }
  }

  @Override
  public Reach reach(Subject subject, String resourceType, AccessAction action) {
    return policy.reach(subject, resourceType, action);
  }

  private void refused(AccessRequest request, Denial denial) {
    Subject s = request.subject();
    events.publishEvent(
        new AccessDenied(
            clock.instant(),
            s.accountId().orElse(null),
            s.actor(),
            s.roles().stream()
                .map(org.phylax.identity.Role::key)
                .collect(java.util.stream.Collectors.toSet()),
            request.patientId().orElse(null),
            request.resourceType(),
            request.action(),
            denial.rule(),
            request.client().ip()));
  }

  private AuditEvent.Builder event(AccessRequest request, AuditEvent.Outcome outcome) {
    Subject s = request.subject();
    return AuditEvent.builder(action(request.action()), outcome)
        .at(clock.instant())
        .actor(
            s.accountId().map(UUID::toString).orElse(null), s.roleKeys(), s.clientId().orElse(null))
        .source(request.client().ip(), request.client().userAgent(), request.client().requestId())
        .entity(request.resourceType(), request.resourceId().orElse(null), null)
        .purpose(request.purpose());
  }

  static AuditAction action(AccessAction action) {
    return switch (action) {
      case READ -> AuditAction.READ;
      case SEARCH -> AuditAction.SEARCH;
      case CREATE -> AuditAction.CREATE;
      case UPDATE -> AuditAction.UPDATE;
      case DELETE -> AuditAction.DELETE;
      case EXPORT -> AuditAction.EXPORT;
    };
  }
}
