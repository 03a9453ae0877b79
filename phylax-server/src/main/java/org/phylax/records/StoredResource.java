package org.phylax.records;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.r4.model.Resource;

/**
 * One stored version of a resource: its surrogate ids, version, audit columns and the decrypted
 * FHIR resource. Not a record on purpose: {@link #toString()} names the resource and never prints
 * its content.
 */
public final class StoredResource {

  private final UUID id;
  private final String resourceType;
  private final long version;
  private final UUID patientId;
  private final Instant createdAt;
  private final String createdBy;
  private final Instant updatedAt;
  private final String updatedBy;
  private final Instant deletedAt;
  private final String deletedBy;
  private final Resource resource;

  /** Made by the store; public only because the store's implementation lives in another package. */
  public StoredResource(
      UUID id,
      String resourceType,
      long version,
      UUID patientId,
      Instant createdAt,
      String createdBy,
      Instant updatedAt,
      String updatedBy,
      Instant deletedAt,
      String deletedBy,
      Resource resource) {
    this.id = Objects.requireNonNull(id);
    this.resourceType = Objects.requireNonNull(resourceType);
    this.version = version;
    this.patientId = patientId;
    this.createdAt = Objects.requireNonNull(createdAt);
    this.createdBy = Objects.requireNonNull(createdBy);
    this.updatedAt = Objects.requireNonNull(updatedAt);
    this.updatedBy = Objects.requireNonNull(updatedBy);
    this.deletedAt = deletedAt;
    this.deletedBy = deletedBy;
    this.resource = Objects.requireNonNull(resource);
  }

  public UUID id() {
    return id;
  }

  public String resourceType() {
    return resourceType;
  }

  public long version() {
    return version;
  }

  /**
   * The patient the resource belongs to (for a Patient, its own id); null for a directory resource
   * (Practitioner, Organization …), which belongs to no patient.
   */
  public UUID patientId() {
    return patientId;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public String createdBy() {
    return createdBy;
  }

  /** When this version was written. */
  public Instant updatedAt() {
    return updatedAt;
  }

  /** Who wrote this version. */
  public String updatedBy() {
    return updatedBy;
  }

  public Optional<Instant> deletedAt() {
    return Optional.ofNullable(deletedAt);
  }

  public Optional<String> deletedBy() {
    return Optional.ofNullable(deletedBy);
  }

  public boolean deleted() {
    return deletedAt != null;
  }

  /**
   * The FHIR resource of this version, with its id and {@code meta.versionId} set. Each call of the
   * store parses a new object, so the caller may change it, e.g. to write the next version.
   */
  public Resource resource() {
    return resource;
  }

  @Override
  public String toString() {
    return "StoredResource["
        + resourceType
        + "/"
        + id
        + "/_history/"
        + version
        + ", patient="
        + patientId
        + (deleted() ? ", deleted" : "")
        + ", body=***]";
  }
}
