package org.phylax.access;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.phylax.identity.ClientInfo;

/**
 * One attempt to act on a record: who, which patient (none for directory resources and for a search
 * across patients), which resource type and instance, what, why, and from where.
 */
public final class AccessRequest {

  private final Subject subject;
  private final UUID patientId;
  private final String resourceType;
  private final String resourceId;
  private final AccessAction action;
  private final String purpose;
  private final ClientInfo client;
  private final boolean newPatient;
  private final Set<UUID> among;
  private final Set<UUID> scheduleOf;

  private AccessRequest(Builder b) {
    this.subject = Objects.requireNonNull(b.subject, "subject");
    this.resourceType = Objects.requireNonNull(b.resourceType, "resourceType");
    this.action = Objects.requireNonNull(b.action, "action");
    this.patientId = b.patientId;
    this.resourceId = b.resourceId;
    this.purpose = b.purpose == null ? "TREAT" : b.purpose;
    this.client = b.client == null ? ClientInfo.none() : b.client;
    this.newPatient = b.newPatient;
    this.among = b.among == null ? null : Set.copyOf(b.among);
    this.scheduleOf = b.scheduleOf == null ? null : Set.copyOf(b.scheduleOf);
    if (among != null && patientId != null) {
      throw new IllegalArgumentException(
          "a request names one patient or limits a search, not both");
    }
    if (newPatient && (patientId != null || action != AccessAction.CREATE)) {
      throw new IllegalArgumentException(
          "a request for a patient being registered is a create and names no patient id");
    }
  }

  public static Builder of(Subject subject, AccessAction action, String resourceType) {
    return new Builder(subject, action, resourceType);
  }

  public Subject subject() {
    return subject;
  }

  public Optional<UUID> patientId() {
    return Optional.ofNullable(patientId);
  }

  public String resourceType() {
    return resourceType;
  }

  public Optional<String> resourceId() {
    return Optional.ofNullable(resourceId);
  }

  public AccessAction action() {
    return action;
  }

  /** The purpose of use (HL7 v3 PurposeOfUse code): TREAT unless the caller says otherwise. */
  public String purpose() {
    return purpose;
  }

  public ClientInfo client() {
    return client;
  }

  /**
   * Whether this create writes the record of a patient who is being registered in the same request
   * (a FHIR transaction bundle with a new Patient and resources referring to it), so that there is
   * no patient id yet to decide about.
   */
  public boolean newPatient() {
    return newPatient;
  }

  /**
   * For a search across patients: the patients it is limited to besides what the subject may see (a
   * Group's members, for a Group-level export); empty when not limited.
   */
  public Optional<Set<UUID>> among() {
    return Optional.ofNullable(among);
  }

  /**
   * For a change to a schedule (its Slots): the Practitioners whose schedule it is. A clinician may
   * then act only when among them; the front desk for anyone's. Empty when not a schedule change.
   */
  public Optional<Set<UUID>> scheduleOf() {
    return Optional.ofNullable(scheduleOf);
  }

  @Override
  public String toString() {
    return "AccessRequest["
        + subject.actor()
        + " "
        + action
        + " "
        + resourceType
        + (resourceId == null ? "" : "/" + resourceId)
        + (patientId == null ? "" : " of Patient/" + patientId)
        + (newPatient ? " of a new Patient" : "")
        + "]";
  }

  /** Builds a request. */
  public static final class Builder {
    private final Subject subject;
    private final AccessAction action;
    private final String resourceType;
    private UUID patientId;
    private String resourceId;
    private String purpose;
    private ClientInfo client;
    private boolean newPatient;
    private Set<UUID> among;
    private Set<UUID> scheduleOf;

    private Builder(Subject subject, AccessAction action, String resourceType) {
      this.subject = subject;
      this.action = action;
      this.resourceType = resourceType;
    }

    public Builder patient(UUID value) {
      patientId = value;
      return this;
    }

    public Builder resource(String id) {
      resourceId = id;
      return this;
    }

    public Builder purpose(String value) {
      purpose = value;
      return this;
    }

    public Builder client(ClientInfo value) {
      client = value;
      return this;
    }

    /** The create is for the record of a patient registered in the same request. */
    public Builder newPatient() {
      newPatient = true;
      return this;
    }

    /** Limits a search to these patients (the search still sees only whom the subject may). */
    public Builder among(Set<UUID> patients) {
      among = patients;
      return this;
    }

    /** The request changes the schedule of these Practitioners (none: a room's schedule). */
    public Builder scheduleOf(Set<UUID> practitioners) {
      scheduleOf = practitioners;
      return this;
    }

    public AccessRequest build() {
      return new AccessRequest(this);
    }
  }
}
