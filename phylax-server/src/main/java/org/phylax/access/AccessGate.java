package org.phylax.access;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one choke point in front of PHI (ARCHITECTURE.md, "the path of a request"): it asks the
 * {@link AccessPolicy}, writes the audit event for the attempt whatever the outcome — durable
 * before anything is returned — and on a refusal publishes {@link AccessDenied} and throws. No
 * caller has to remember to audit.
 */
public interface AccessGate {

  /**
   * Decides a request about one patient (or one directory resource), audits it, and returns the
   * permit to hand to the record store.
   *
   * @throws AccessDeniedException when refused (after auditing and publishing the refusal)
   * @throws org.phylax.audit.AuditUnavailableException when the attempt could not be audited; then
   *     nothing is permitted
   */
  Permit enter(AccessRequest request);

  /**
   * Decides several requests as {@link #enter} decides each — every one decided, audited and, when
   * refused, published — but with their audit events committed together, so that a transaction
   * bundle of a thousand entries waits for a few commits rather than a thousand.
   *
   * @return each request's outcome, in order
   * @throws org.phylax.audit.AuditUnavailableException when the attempts could not be audited; then
   *     nothing is permitted
   */
  List<Entered> enterAll(List<AccessRequest> requests);

  /**
   * For a search across patients (a request without a patient): the patients the subject may see
   * for this type and action, as a permit to limit the store's search to them, with each patient's
   * reason. A subject who may see none gets an empty scope rather than a refusal, so that a search
   * answers as if the others did not exist. The search itself is audited; call {@link #disclosed}
   * with the patients whose data is returned.
   */
  SearchScope search(AccessRequest request);

  /**
   * Audits the disclosure of each patient's data that a search returned, with its reason: one event
   * per patient, all recorded before this returns. When one of them is outside the scope, none is
   * recorded and an {@link IllegalArgumentException} is thrown.
   */
  void disclosed(AccessRequest request, SearchScope scope, Collection<UUID> patients);

  /** The outcome of one of several requests: its permit, or its refusal (audited and published). */
  final class Entered {
    private final Permit permit;
    private final AccessDeniedException refusal;

    Entered(Permit permit, AccessDeniedException refusal) {
      this.permit = permit;
      this.refusal = refusal;
    }

    /**
     * The permit.
     *
     * @throws AccessDeniedException when the request was refused
     */
    public Permit permit() {
      if (refusal != null) {
        throw refusal;
      }
      return permit;
    }
  }

  /**
   * How far the subject's roles (a backend service: its scopes) reach into a resource type for an
   * action, before any patient is considered. Not a decision and not audited: a listing across
   * types (system history) uses it to leave out the types the subject may not see at all, rather
   * than be refused for them, and to know whether resources of no patient belong in the listing;
   * what it shows of each remaining type is still limited by {@link #search}.
   */
  Reach reach(Subject subject, String resourceType, AccessAction action);

  /** What {@link #reach} answers. */
  enum Reach {
    /** The roles or scopes do not allow the action on the type. */
    NONE,
    /** Only patients under an emergency (break-glass) grant; no resource of no patient. */
    BREAK_GLASS,
    /** The patients the subject is linked to (all, for a service) and resources of no patient. */
    ROLE
  }

  /**
   * What a search may see.
   *
   * @param permit the permit for the store, covering exactly the patients of {@code reasons} (or
   *     every patient, for a backend service with system scopes)
   * @param reasons why each patient may be seen; empty when the permit covers every patient
   */
  record SearchScope(Permit permit, Map<UUID, Permit.Reason> reasons) {
    public SearchScope {
      reasons = Map.copyOf(reasons);
    }
  }
}
