package org.phylax.access;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.phylax.identity.Role;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The access policy: deny by default; permit from the user's relationship to the patient, as the
 * record store states it now (no cache, so a change counts on the next request), within what the
 * user's roles allow (minimum necessary, {@link RoleTable}).
 *
 * <p>Order of the rules: a disabled account is refused; then the role table; then a patient may act
 * on their own record only; a backend service by its scopes; a workforce user needs a link — and an
 * active Consent of the patient denying them overrides every link except an emergency grant.
 */
@Component
class RelationshipAccessPolicy implements AccessPolicy {

  private final RelationshipSource relationships;
  private final BreakGlass breakGlass;
  private final Clock clock;

  RelationshipAccessPolicy(
      RelationshipSource relationships, BreakGlass breakGlass, ObjectProvider<Clock> clock) {
    this.relationships = relationships;
    this.breakGlass = breakGlass;
    this.clock = clock.getIfAvailable(Clock::systemUTC);
  }

  @Override
  public Decision decide(AccessRequest request) {
    Subject subject = request.subject();
    if (!subject.isActive()) {
      return Decision.deny(Denial.Rule.ACCOUNT_DISABLED, "the account is disabled or locked");
    }
    if (subject.isService()) {
      return service(request);
    }
    RoleTable.Grant grant =
        RoleTable.grant(subject.roles(), request.resourceType(), request.action());
    if (grant == RoleTable.Grant.NO) {
      return roleNotPermitted(request);
    }
    Optional<UUID> patient = request.patientId();
    if (patient.isEmpty()) {
      if (isRegistration(request) && grant == RoleTable.Grant.YES) {
        return Decision.permit(registration(request));
      }
      // A resource of no patient (the directory, the medication catalog, schedules and slots, a
      // device in stock): the role table alone decides, and the permit covers no patient's record,
      // so it cannot be used for one.
      if (RoleTable.mayHaveNoPatient(request.resourceType())) {
        if (grant == RoleTable.Grant.YES) {
          if (request.scheduleOf().isPresent()
              && !RoleTable.organizationSuffices(subject.roles())
              && !subject
                  .practitionerId()
                  .map(request.scheduleOf().get()::contains)
                  .orElse(false)) {
            return Decision.deny(
                Denial.Rule.NO_RELATIONSHIP,
                "a practitioner manages only their own schedule; the front desk manages all");
          }
          return Decision.permit(permit(request, Permit.Reason.DIRECTORY, Set.of()));
        }
        return roleNotPermitted(request);
      }
      return Decision.deny(
          Denial.Rule.NO_RELATIONSHIP,
          "a request for " + request.resourceType() + " names no patient");
    }
    UUID patientId = patient.get();
    if (subject.has(Role.PATIENT) && grant == RoleTable.Grant.YES) {
      if (subject.patientId().map(patientId::equals).orElse(false)) {
        return Decision.permit(permit(request, Permit.Reason.SELF, Set.of(patientId)));
      }
      if (!subject.roles().stream().anyMatch(Role::isWorkforce)) {
        return Decision.deny(
            Denial.Rule.NO_RELATIONSHIP, "a patient may see only their own record");
      }
    }
    Instant now = clock.instant();
    Set<RelationshipSource.Kind> kinds = EnumSet.noneOf(RelationshipSource.Kind.class);
    if (subject.practitionerId().isPresent()) {
      for (RelationshipSource.Link link :
          relationships.linksOfPractitioner(patientId, subject.practitionerId().get(), now)) {
        kinds.add(link.kind());
      }
    }
    if (kinds.contains(RelationshipSource.Kind.CONSENT_DENY)) {
      if (emergency(subject, patientId, now)) {
        return Decision.breakGlass(
            permit(request, Permit.Reason.BREAK_GLASS, Set.of(patientId)), true);
      }
      return Decision.deny(
          Denial.Rule.CONSENT_DENIED, "the patient's consent denies this user access");
    }
    if (grant == RoleTable.Grant.BREAK_GLASS) {
      if (emergency(subject, patientId, now)) {
        return Decision.breakGlass(
            permit(request, Permit.Reason.BREAK_GLASS, Set.of(patientId)), false);
      }
      return Decision.deny(
          Denial.Rule.ROLE_NOT_PERMITTED,
          "the roles "
              + subject.roleKeys()
              + " reach "
              + request.resourceType()
              + " only through break-glass");
    }
    Permit.Reason reason = reason(kinds, subject.roles());
    if (reason != null) {
      return Decision.permit(permit(request, reason, Set.of(patientId)));
    }
    // Only now, with no relationship, is an emergency grant looked for: the usual path is one
    // query.
    if (emergency(subject, patientId, now)) {
      return Decision.breakGlass(
          permit(request, Permit.Reason.BREAK_GLASS, Set.of(patientId)), false);
    }
    return Decision.deny(
        Denial.Rule.NO_RELATIONSHIP, "nothing in the records links this user to the patient");
  }

  /**
   * The patients a workforce user may see for this request's type and action, with the reason for
   * each; those whose consent denies the user are left out unless under an emergency grant.
   */
  Map<UUID, Permit.Reason> visiblePatients(Subject subject, AccessRequest request) {
    Map<UUID, Permit.Reason> out = new HashMap<>();
    RoleTable.Grant grant =
        RoleTable.grant(subject.roles(), request.resourceType(), request.action());
    if (!subject.isActive() || subject.isService() || grant == RoleTable.Grant.NO) {
      return out;
    }
    if (subject.has(Role.PATIENT) && grant == RoleTable.Grant.YES) {
      subject.patientId().ifPresent(p -> out.put(p, Permit.Reason.SELF));
    }
    Instant now = clock.instant();
    if (grant == RoleTable.Grant.YES) {
      Set<UUID> identities =
          subject.practitionerId().map(p -> relationships.identitiesOf(p, now)).orElse(Set.of());
      for (Map.Entry<UUID, Set<RelationshipSource.Kind>> e :
          relationships.patientsLinkedTo(identities, now).entrySet()) {
        if (e.getValue().contains(RelationshipSource.Kind.CONSENT_DENY)) {
          continue; // an emergency grant may restore it below
        }
        Permit.Reason reason = reason(e.getValue(), subject.roles());
        if (reason != null) {
          out.put(e.getKey(), reason);
        }
      }
    }
    if (subject.accountId().isPresent()) {
      for (BreakGlass.Grant g : breakGlass.inForce(subject.accountId().get(), now)) {
        out.putIfAbsent(g.patientId(), Permit.Reason.BREAK_GLASS);
      }
    }
    return out;
  }

  /** How far the roles (a service: its scopes) reach into a type, before any patient. */
  AccessGate.Reach reach(Subject subject, String resourceType, AccessAction action) {
    if (subject.isService()) {
      return ServiceScopes.allow(subject.scopes(), resourceType, action)
          ? AccessGate.Reach.ROLE
          : AccessGate.Reach.NONE;
    }
    return switch (RoleTable.grant(subject.roles(), resourceType, action)) {
      case YES -> AccessGate.Reach.ROLE;
      case BREAK_GLASS -> AccessGate.Reach.BREAK_GLASS;
      case NO -> AccessGate.Reach.NONE;
    };
  }

  private boolean emergency(Subject subject, UUID patientId, Instant now) {
    return subject.accountId().flatMap(a -> breakGlass.active(a, patientId, now)).isPresent();
  }

  private static Permit.Reason reason(Set<RelationshipSource.Kind> kinds, Set<Role> roles) {
    if (kinds.contains(RelationshipSource.Kind.ASSIGNED)) {
      return Permit.Reason.ASSIGNED;
    }
    if (kinds.contains(RelationshipSource.Kind.CARE_TEAM)) {
      return Permit.Reason.CARE_TEAM;
    }
    if (kinds.contains(RelationshipSource.Kind.CONSENT_PERMIT)) {
      return Permit.Reason.CONSENT;
    }
    if (kinds.contains(RelationshipSource.Kind.APPOINTMENT)) {
      return Permit.Reason.APPOINTMENT;
    }
    if (kinds.contains(RelationshipSource.Kind.MANAGED) && RoleTable.organizationSuffices(roles)) {
      return Permit.Reason.ASSIGNED;
    }
    return null;
  }

  private Decision service(AccessRequest request) {
    if (ServiceScopes.allow(request.subject().scopes(), request.resourceType(), request.action())) {
      if (isRegistration(request)) {
        return Decision.permit(registration(request));
      }
      Set<UUID> patients = request.patientId().map(Set::of).orElse(Set.of());
      return Decision.permit(permit(request, Permit.Reason.SERVICE, patients));
    }
    return roleNotPermitted(request);
  }

  /**
   * Creating a new Patient, or a resource of a Patient created in the same request (a transaction
   * bundle): there is no patient to have a relationship with yet, so the role table (or the
   * service's scopes) alone decides, as for a directory resource.
   */
  private static boolean isRegistration(AccessRequest request) {
    return request.patientId().isEmpty()
        && request.action() == AccessAction.CREATE
        && ("Patient".equals(request.resourceType()) || request.newPatient());
  }

  /** Covers every patient, because the new patient's id is made by the store afterwards. */
  private static Permit registration(AccessRequest request) {
    return new Permit(
        request.subject().actor(), Permit.Reason.REGISTRATION, request.purpose(), (Set<UUID>) null);
  }

  private static Decision roleNotPermitted(AccessRequest request) {
    Subject s = request.subject();
    String who = s.isService() ? "the client's scopes" : "the roles " + s.roleKeys();
    return Decision.deny(
        Denial.Rule.ROLE_NOT_PERMITTED,
        who
            + " do not allow "
            + request.action().name().toLowerCase(java.util.Locale.ROOT)
            + " on "
            + request.resourceType());
  }

  private static Permit permit(AccessRequest request, Permit.Reason reason, Set<UUID> patients) {
    return new Permit(request.subject().actor(), reason, request.purpose(), patients);
  }
}
